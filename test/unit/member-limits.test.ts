// Issue 17 case 5: a member's chunk fetches run a few at a time and end when nothing arrives.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { MemberLimits } from '../../src/hub/member-limits.ts'

test('fetches of one member run at most N at once; another member is not held up', async () => {
  const limits = new MemberLimits({ proposalBytes: 1000, fetches: 2, fetchIdleMs: 60_000 })
  const never = new AbortController()
  let running = 0
  let most = 0
  const release = Promise.withResolvers<void>()
  const stuck = Array.from({ length: 5 }, async () => await limits.fetch('mallory', never.signal, async () => {
    running++
    most = Math.max(most, running)
    await release.promise
    running--
  }))
  await sleep(20)
  assert.equal(most, 2)
  assert.equal(await limits.fetch('alice', never.signal, async () => 'done'), 'done', 'alice is served while mallory waits')
  release.resolve()
  await Promise.all(stuck)
})

test('a fetch that receives nothing for the idle time ends with FetchIdleError; progress keeps it alive', async () => {
  const limits = new MemberLimits({ proposalBytes: 1000, fetches: 2, fetchIdleMs: 100 })
  const never = new AbortController()
  await assert.rejects(limits.fetch('mallory', never.signal, async (signal) => {
    await new Promise((_resolve, reject) => { signal.addEventListener('abort', () => { reject(new Error('aborted')) }) })
  }), { name: 'FetchIdleError', code: 'ERR_FETCH_IDLE' })
  const result = await limits.fetch('alice', never.signal, async (signal, progress) => {
    for (let i = 0; i < 6; i++) { await sleep(40); progress() }
    return signal.aborted ? 'aborted' : 'alive'
  })
  assert.equal(result, 'alive')
})

test('proposals in flight wait for room in the member\'s budget', async () => {
  const limits = new MemberLimits({ proposalBytes: 1000, fetches: 2, fetchIdleMs: 60_000 })
  const never = new AbortController()
  const first = await limits.admitProposal('mallory', 800, never.signal)
  let admitted = false
  const second = limits.admitProposal('mallory', 800, never.signal).then(r => { admitted = true; return r })
  await sleep(10)
  assert.equal(admitted, false)
  ;(await limits.admitProposal('alice', 800, never.signal))()
  first()
  ;(await second)()
  assert.equal(admitted, true)
})
