import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { MemberNews, memberNewsDelay, membersSnapshot, MEMBER_NEWS_MIN_DELAY_MS } from '../../src/hub/member-news.ts'
import { MAX_MEMBERS } from '../../src/protocol/constants.ts'
import type { Member, MembersUpdate } from '../../src/protocol/codec.ts'

/** What a client makes of the news it receives, as peer -> addresses. */
function apply (view: Map<string, string[]>, u: MembersUpdate): void {
  if (u.reset) view.clear()
  for (const peer of u.left) view.delete(peer)
  for (const m of u.joined) view.set(m.peer, m.addrs)
}

type Op = { op: 'join', peer: string, addrs: string[] } | { op: 'leave', peer: string } | { op: 'flush' } | { op: 'subscribe' }
const peer = fc.constantFrom('A', 'B', 'C', 'D', 'E')
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('join' as const), peer, addrs: fc.array(fc.constantFrom('/ip4/10.0.0.1/tcp/1', '/ip4/10.0.0.2/tcp/2'), { maxLength: 2 }) }),
  fc.record({ op: fc.constant('leave' as const), peer }),
  fc.record({ op: fc.constant('flush' as const) }),
  fc.record({ op: fc.constant('subscribe' as const) })
)

test('property: a session that starts at any moment, given the whole list then the news, ends with the members online', () => {
  fc.assert(fc.property(fc.array(op, { maxLength: 40 }), ops => {
    const online = new Map<string, string[]>()
    const views: Array<Map<string, string[]>> = []
    const news = new MemberNews(updates => { for (const u of updates) for (const v of views) apply(v, u) }, () => 60_000)
    for (const o of ops) {
      if (o.op === 'join') {
        online.set(o.peer, o.addrs)
        news.joined(o.peer, o.addrs)
      } else if (o.op === 'leave' && online.has(o.peer)) {
        online.delete(o.peer)
        news.left(o.peer)
      } else if (o.op === 'flush') {
        news.flush()
      } else if (o.op === 'subscribe') {
        const view = new Map<string, string[]>([['stale', []]])
        for (const u of membersSnapshot([...online].map(([peer, addrs]) => ({ peer, addrs })))) apply(view, u)
        views.push(view)
      }
    }
    news.flush()
    news.close()
    for (const v of views) assert.deepEqual(new Map([...v].sort()), new Map([...online].sort()))
  }))
})

test('news and the whole list go in frames of at most MAX_MEMBERS peers; only the first of a list resets', () => {
  const members: Member[] = Array.from({ length: 2 * MAX_MEMBERS + 7 }, (_, i) => ({ peer: `P${i}`, addrs: [] }))
  const snapshot = membersSnapshot(members)
  assert.deepEqual(snapshot.map(u => [u.reset, u.joined.length, u.left.length]), [[true, MAX_MEMBERS, 0], [false, MAX_MEMBERS, 0], [false, 7, 0]])
  assert.deepEqual(membersSnapshot([]), [{ reset: true, joined: [], left: [] }])

  const sent: MembersUpdate[] = []
  const news = new MemberNews(updates => { sent.push(...updates) }, () => 60_000)
  for (const m of members) news.joined(m.peer, m.addrs)
  for (const m of members.slice(0, 10)) news.left(m.peer)
  news.flush()
  news.close()
  assert.deepEqual(sent.map(u => [u.reset, u.joined.length + u.left.length]), [[false, MAX_MEMBERS], [false, MAX_MEMBERS], [false, 7]])
  assert.deepEqual(sent.flatMap(u => u.left).sort(), members.slice(0, 10).map(m => m.peer).sort())
})

test('joins and leaves a moment apart go out together, after the delay', async () => {
  const sent: MembersUpdate[][] = []
  const news = new MemberNews(updates => { sent.push(updates) }, () => 30)
  news.joined('A', [])
  news.joined('B', [])
  news.left('A')
  assert.equal(sent.length, 0)
  await new Promise(resolve => setTimeout(resolve, 200))
  assert.deepEqual(sent, [[{ reset: false, joined: [{ peer: 'B', addrs: [] }], left: ['A'] }]])
  news.close()
})

test('news waits longer with more members: every batch is a write to each of them', () => {
  const cases: Array<[number, number]> = [[0, MEMBER_NEWS_MIN_DELAY_MS], [10, MEMBER_NEWS_MIN_DELAY_MS], [1000, 1000], [5000, 5000]]
  for (const [members, ms] of cases) assert.equal(memberNewsDelay(members), ms, `${members} members`)
})
