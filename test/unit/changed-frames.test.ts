// The hub encodes a record's Changed frame once for all sessions: concurrent and later asks for
// one seq share one encoding, old frames leave once the budget is passed, a failure is not kept.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { ChangedFrames, type ChangedFrame } from '../../src/hub/changed-frames.ts'

function counter (): { make: (size: number) => () => Promise<ChangedFrame>, calls: () => number } {
  let calls = 0
  return {
    make: (size: number) => async () => {
      calls++
      await new Promise(resolve => setImmediate(resolve))
      return { bytes: new Uint8Array(size).fill(calls), blockBytes: size }
    },
    calls: () => calls
  }
}

describe('ChangedFrames', () => {
  test('fifty sessions asking for one seq at once encode it once and get the same bytes', async () => {
    const frames = new ChangedFrames(1024)
    const c = counter()
    const got = await Promise.all(Array.from({ length: 50 }, async () => await frames.get(7, c.make(100))))
    assert.equal(c.calls(), 1)
    for (const g of got) assert.equal(g.bytes, got[0]!.bytes)
    await frames.get(7, c.make(100))
    assert.equal(c.calls(), 1, 'a later ask is served from memory too')
  })

  test('past the budget the oldest frames are made again, the newest are kept', async () => {
    const frames = new ChangedFrames(1000)
    const c = counter()
    for (let seq = 1; seq <= 5; seq++) await frames.get(seq, c.make(300))
    assert.equal(c.calls(), 5)
    await frames.get(5, c.make(300))
    await frames.get(4, c.make(300))
    await frames.get(3, c.make(300))
    assert.equal(c.calls(), 5, 'the three newest fit in 1000 bytes')
    await frames.get(1, c.make(300))
    assert.equal(c.calls(), 6, 'the oldest was dropped')
  })

  test('a frame that failed to be made is made again on the next ask', async () => {
    const frames = new ChangedFrames(1024)
    await assert.rejects(frames.get(1, async () => { throw new Error('chunk store closed') }), /chunk store closed/)
    const c = counter()
    const got = await frames.get(1, c.make(10))
    assert.equal(c.calls(), 1)
    assert.equal(got.bytes.byteLength, 10)
  })
})
