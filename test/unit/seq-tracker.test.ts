// The applied seq a client may save: every relayed change at or below it is done, even when
// changes to different paths finish out of order.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { SeqTracker } from '../../src/client/seq-tracker.ts'

describe('SeqTracker', () => {
  test('starts at the applied seq it is given', () => {
    assert.equal(new SeqTracker(0).applied, 0)
    assert.equal(new SeqTracker(7).applied, 7)
  })

  test('a received change is not applied until it finishes', () => {
    const t = new SeqTracker(7)
    t.received(8)
    assert.equal(t.applied, 7)
    t.finished(8)
    assert.equal(t.applied, 8)
  })

  test('out-of-order finishing: applied waits for the lowest unfinished seq', () => {
    const t = new SeqTracker(7)
    for (const s of [8, 9, 10]) t.received(s)
    t.finished(10)
    assert.equal(t.applied, 7)
    t.finished(9)
    assert.equal(t.applied, 7)
    t.finished(8)
    assert.equal(t.applied, 10)
  })

  test('a later finish advances up to, not past, the next unfinished seq', () => {
    const t = new SeqTracker(0)
    for (const s of [1, 2, 3, 4]) t.received(s)
    t.finished(1)
    t.finished(2)
    t.finished(4)
    assert.equal(t.applied, 2)
    t.finished(3)
    assert.equal(t.applied, 4)
  })

  test('seqs the hub did not relay (our own changes) do not hold applied back', () => {
    const t = new SeqTracker(7)
    t.received(8)
    t.received(11) // 9 and 10 were this client's own proposals
    t.finished(8)
    assert.equal(t.applied, 10)
    t.finished(11)
    assert.equal(t.applied, 11)
  })

  test('caught-up advances applied when nothing is in flight', () => {
    const t = new SeqTracker(7)
    t.caughtUp(12)
    assert.equal(t.applied, 12)
  })

  test('caught-up does not pass a change still in flight', () => {
    const t = new SeqTracker(7)
    t.received(8)
    t.received(9)
    t.finished(8)
    t.caughtUp(12)
    assert.equal(t.applied, 8)
    t.finished(9)
    assert.equal(t.applied, 12)
  })

  test('applied never goes back (a lower caught-up, a stray finish)', () => {
    const t = new SeqTracker(10)
    t.caughtUp(3)
    assert.equal(t.applied, 10)
    t.finished(4)
    assert.equal(t.applied, 10)
  })

  test('seqs received out of order (not what the hub does) still hold applied at the lowest unfinished', () => {
    const t = new SeqTracker(7)
    t.received(9)
    t.received(8)
    t.caughtUp(9)
    assert.equal(t.applied, 7)
    t.finished(9)
    assert.equal(t.applied, 7)
    t.finished(8)
    assert.equal(t.applied, 9)
  })

  // ---- a reference model, checked seq by seq ----

  /** The highest x (not below the start) such that every received seq <= x has finished, x <= the highest seq known. */
  function reference (start: number, known: number, received: Set<number>, finished: Set<number>): number {
    for (let x = known; x > start; x--) {
      let ok = true
      for (let s = 1; s <= x; s++) if (received.has(s) && !finished.has(s)) ok = false
      if (ok) return x
    }
    return start
  }

  type Op = { op: 'receive' | 'skip' | 'finish' | 'caught-up', pick: number }
  const ops = fc.array(fc.record({ op: fc.constantFrom('receive', 'receive', 'skip', 'finish', 'finish', 'caught-up'), pick: fc.nat() }, { noNullPrototype: true }) as fc.Arbitrary<Op>, { maxLength: 60 })

  test('property: random interleavings of the hub\'s stream and out-of-order finishing match a model', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 5 }), ops, (start, script) => {
      const t = new SeqTracker(start)
      let next = start + 1 // the hub relays seqs in order, skipping the client's own
      let known = start
      let applied = start
      const received = new Set<number>()
      const finished = new Set<number>()
      const inflight: number[] = []
      for (const { op, pick } of script) {
        switch (op) {
          case 'receive':
            t.received(next); received.add(next); inflight.push(next); known = next; next++
            break
          case 'skip':
            next++ // one of our own changes: the hub does not send it back
            break
          case 'finish': {
            if (inflight.length === 0) break
            const [s] = inflight.splice(pick % inflight.length, 1) as [number]
            t.finished(s); finished.add(s)
            break
          }
          case 'caught-up':
            t.caughtUp(next - 1); known = Math.max(known, next - 1)
            break
        }
        const best = Math.max(applied, reference(start, known, received, finished))
        // receiving only ever holds applied back; a finish or a caught-up brings it to the best
        if (op === 'finish' || op === 'caught-up') assert.equal(t.applied, best)
        else assert.ok(t.applied <= best)
        for (const s of inflight) assert.ok(t.applied < s, `applied ${t.applied} passed unfinished ${s}`)
        assert.ok(t.applied >= applied, 'applied went back')
        applied = t.applied
      }
      // once everything finishes and the hub says it is caught up, applied is the last seq
      for (const s of inflight.splice(0)) t.finished(s)
      t.caughtUp(next - 1)
      assert.equal(t.applied, next - 1)
    }), { numRuns: 500 })
  })
})
