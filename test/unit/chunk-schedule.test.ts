// Which chunk goes to which holder: least busy first, holders before the fallback, a "missing"
// answer or a failed source sends the chunk elsewhere, and a chunk nobody can give ends "stuck".
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ChunkSchedule, type ScheduleSource } from '../../src/reconcile/chunk-schedule.ts'

const K = 1024
const limits = { batchBytes: 4 * K, sourceWindowBytes: 8 * K, lookaheadBytes: 1024 * K }
const sizes = (n: number, size = K): number[] => Array.from({ length: n }, () => size)
const direct = (id: string): ScheduleSource => ({ id, tier: 0 })
const fallback = (id: string): ScheduleSource => ({ id, tier: 1 })

describe('ChunkSchedule', () => {
  const cases: Array<{ name: string, sources: ScheduleSource[], expect: string[] }> = [
    { name: 'one holder takes batches up to its window', sources: [direct('a')], expect: ['a:0,1,2,3', 'a:4,5,6,7', '-'] },
    { name: 'two holders alternate, least busy first', sources: [direct('a'), direct('b')], expect: ['a:0,1,2,3', 'b:4,5,6,7', 'a:8,9,10,11', 'b:12,13,14,15', '-'] },
    { name: 'the fallback is not asked while a holder may give the chunks', sources: [fallback('hub'), direct('a')], expect: ['a:0,1,2,3', 'a:4,5,6,7', '-'] },
    { name: 'the hub holding is a holder like the others', sources: [direct('hub'), direct('a')], expect: ['hub:0,1,2,3', 'a:4,5,6,7', 'hub:8,9,10,11', 'a:12,13,14,15', '-'] }
  ]
  for (const c of cases) {
    test(c.name, () => {
      const s = new ChunkSchedule(sizes(32), c.sources, limits)
      const got = c.expect.map(() => { const a = s.next(); return a == null ? '-' : `${a.source}:${a.chunks.join(',')}` })
      assert.deepEqual(got, c.expect)
    })
  }

  test('a missing chunk goes to another holder, then the fallback, then the schedule is stuck', () => {
    const s = new ChunkSchedule(sizes(1), [direct('a'), direct('b'), fallback('hub')], limits)
    assert.deepEqual(s.next(), { source: 'a', chunks: [0] })
    s.missing('a', 0)
    assert.deepEqual(s.next(), { source: 'b', chunks: [0] })
    s.missing('b', 0)
    assert.deepEqual(s.next(), { source: 'hub', chunks: [0] })
    s.missing('hub', 0)
    assert.equal(s.next(), null)
    assert.equal(s.state, 'stuck')
  })

  test('a failed source gives its chunks back and is never asked again', () => {
    const s = new ChunkSchedule(sizes(8), [direct('a'), direct('b')], limits)
    assert.deepEqual(s.next(), { source: 'a', chunks: [0, 1, 2, 3] })
    assert.deepEqual(s.next(), { source: 'b', chunks: [4, 5, 6, 7] })
    s.received('a', 0)
    s.failed('a')
    assert.deepEqual(s.next(), { source: 'b', chunks: [1, 2, 3] })
    assert.equal(s.next(), null)
    s.received('a', 1) // a late answer of a dropped source counts for nothing
    for (const i of [1, 2, 3, 4, 5, 6, 7]) s.received('b', i)
    assert.equal(s.state, 'done')
  })

  test('requests reach no further than the lookahead past the first chunk not received', () => {
    const s = new ChunkSchedule(sizes(16), [direct('a'), direct('b')], { ...limits, lookaheadBytes: 6 * K })
    assert.deepEqual(s.next(), { source: 'a', chunks: [0, 1, 2, 3] })
    assert.deepEqual(s.next(), { source: 'b', chunks: [4, 5] })
    assert.equal(s.next(), null)
    s.received('a', 0)
    assert.deepEqual(s.next(), { source: 'b', chunks: [6] })
  })

  test('stuck as soon as the next chunk in order has no source, even with later chunks still askable', () => {
    const s = new ChunkSchedule(sizes(16), [direct('a'), fallback('hub')], { ...limits, lookaheadBytes: 4 * K })
    assert.deepEqual(s.next(), { source: 'a', chunks: [0, 1, 2, 3] })
    for (const i of [0, 1, 2]) s.received('a', i)
    s.missing('a', 3)
    assert.deepEqual(s.next(), { source: 'a', chunks: [4, 5, 6] })
    assert.deepEqual(s.next(), { source: 'hub', chunks: [3] })
    s.missing('hub', 3)
    assert.equal(s.state, 'working')
    for (const i of [4, 5, 6]) s.received('a', i)
    // chunks 7-15 are a's to give, but the file cannot be finished without 3
    assert.equal(s.next(), null)
    assert.equal(s.state, 'stuck')
  })

  test('a chunk given back (its request broke off) is asked again, of the same source too', () => {
    const s = new ChunkSchedule(sizes(2), [direct('a')], limits)
    assert.deepEqual(s.next(), { source: 'a', chunks: [0, 1] })
    s.received('a', 0)
    s.giveBack('a', 1)
    assert.deepEqual(s.next(), { source: 'a', chunks: [1] })
    s.received('a', 1)
    assert.equal(s.state, 'done')
  })

  test('a source added while fetching is used, and one that appears twice keeps its state', () => {
    const s = new ChunkSchedule(sizes(8), [fallback('hub')], limits)
    assert.deepEqual(s.next(), { source: 'hub', chunks: [0, 1, 2, 3] })
    s.addSource(direct('a'))
    assert.deepEqual(s.next(), { source: 'a', chunks: [4, 5, 6, 7] })
    s.failed('a')
    s.addSource(direct('a'))
    assert.deepEqual(s.next(), { source: 'hub', chunks: [4, 5, 6, 7] })
  })

  test('property: whatever the sources answer, every chunk is received once or the schedule ends stuck; never asks a dropped source or one that refused', () => {
    const event = fc.record({ pick: fc.nat(), answer: fc.constantFrom('ok', 'ok', 'ok', 'missing', 'fail', 'reset') }, { noNullPrototype: true })
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 1, max: 3 * K }), { minLength: 0, maxLength: 40 }),
      fc.array(fc.record({ id: fc.constantFrom('a', 'b', 'c', 'hub'), tier: fc.constantFrom<0 | 1>(0, 1) }, { noNullPrototype: true }), { minLength: 1, maxLength: 4 }),
      fc.array(event, { maxLength: 400 }),
      (chunkSizes, sources, events) => {
        const s = new ChunkSchedule(chunkSizes, sources, limits)
        const dropped = new Set<string>()
        const refused = new Set<string>()
        const received = new Set<number>()
        const inFlight: Array<{ source: string, chunk: number }> = []
        for (let step = 0; step < 2000; step++) {
          for (let a = s.next(); a != null; a = s.next()) {
            assert.ok(!dropped.has(a.source), 'asked a dropped source')
            for (const c of a.chunks) {
              assert.ok(!refused.has(`${a.source}/${c}`), 'asked a source that refused')
              assert.ok(!received.has(c), 'asked for a received chunk')
              inFlight.push({ source: a.source, chunk: c })
            }
          }
          if (inFlight.length === 0) break
          const e = events[step] ?? { pick: 0, answer: 'ok' }
          const [{ source, chunk }] = inFlight.splice(e.pick % inFlight.length, 1) as [{ source: string, chunk: number }]
          if (dropped.has(source)) continue
          if (e.answer === 'ok') { s.received(source, chunk); received.add(chunk) }
          if (e.answer === 'missing') { s.missing(source, chunk); refused.add(`${source}/${chunk}`) }
          if (e.answer === 'reset') s.giveBack(source, chunk)
          if (e.answer === 'fail') {
            s.failed(source)
            dropped.add(source)
            for (let i = inFlight.length - 1; i >= 0; i--) if (inFlight[i]!.source === source) inFlight.splice(i, 1)
          }
        }
        if (received.size === chunkSizes.length) assert.equal(s.state, 'done')
        else assert.equal(s.state, 'stuck')
      }), { numRuns: 300 })
  })
})
