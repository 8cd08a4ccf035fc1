// FrameWriter: the frames of one turn leave in one write, in order; a full queue waits; a failed
// write is reported to later writers. The stream is a stand-in recording writeV calls.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { FrameWriter } from '../../src/net/frame-writer.ts'
import type { LengthPrefixedStream } from '@libp2p/utils'

interface Recorder { lp: LengthPrefixedStream, calls: Uint8Array[][], release: () => void }

/** writeV calls recorded; with `hold`, each one waits until released (a stream without room). */
function recorder (opts: { hold?: boolean, fail?: Error } = {}): Recorder {
  const calls: Uint8Array[][] = []
  let waiting: Array<() => void> = []
  const lp = {
    writeV: async (frames: Uint8Array[]) => {
      calls.push(frames)
      if (opts.fail != null) throw opts.fail
      if (opts.hold === true) await new Promise<void>(resolve => waiting.push(resolve))
    }
  } as unknown as LengthPrefixedStream
  return { lp, calls, release: () => { const w = waiting; waiting = []; w.forEach(r => { r() }) } }
}

const frame = (n: number, size = 4): Uint8Array => new Uint8Array(size).fill(n)

test('frames written in one turn leave in one write, in order', async () => {
  const r = recorder()
  const out = new FrameWriter(r.lp, new AbortController().signal)
  await Promise.all([1, 2, 3].map(async n => { await out.write(frame(n)) }))
  assert.equal(r.calls.length, 0, 'nothing leaves before the turn ends')
  await out.flush()
  assert.deepEqual(r.calls, [[frame(1), frame(2), frame(3)]])
})

test('frames of later turns go in later writes', async () => {
  const r = recorder()
  const out = new FrameWriter(r.lp, new AbortController().signal)
  await out.write(frame(1))
  await nextTurn()
  await nextTurn()
  await out.write(frame(2))
  await out.flush()
  assert.deepEqual(r.calls, [[frame(1)], [frame(2)]])
})

test('a writer waits once a quarter MiB is queued, and goes on when it has left', async () => {
  const r = recorder({ hold: true })
  const out = new FrameWriter(r.lp, new AbortController().signal)
  await out.write(frame(1, 200 * 1024)) // below the mark: returns at once
  let done = false
  const second = out.write(frame(2, 100 * 1024)).then(() => { done = true })
  await nextTurn()
  await nextTurn()
  assert.equal(done, false, 'the writer past the mark waits')
  assert.equal(r.calls.length, 1)
  r.release()
  await second
  assert.equal(done, true)
})

test('frames queued while a write is under way follow in the next one', async () => {
  const r = recorder({ hold: true })
  const out = new FrameWriter(r.lp, new AbortController().signal)
  await out.write(frame(1))
  await nextTurn()
  await nextTurn()
  await out.write(frame(2))
  await out.write(frame(3))
  r.release()
  await nextTurn()
  r.release()
  await out.flush()
  assert.deepEqual(r.calls, [[frame(1)], [frame(2), frame(3)]])
})

test('after a failed write, the next write and flush reject with its error', async () => {
  const broken = new Error('stream reset')
  const r = recorder({ fail: broken })
  const out = new FrameWriter(r.lp, new AbortController().signal)
  await out.write(frame(1)) // queued: the failure comes later, and must not be unhandled
  await assert.rejects(out.flush(), broken)
  await assert.rejects(out.write(frame(2)), broken)
  assert.equal(r.calls.length, 1, 'nothing more is written on a broken stream')
})

test('issue 17 case 7: a peer that does not read loses its stream once the queue is past its bound; nothing grows without limit', async () => {
  const r = recorder({ hold: true })
  const failures: Error[] = []
  const out = new FrameWriter(r.lp, new AbortController().signal, err => { failures.push(err) }, { frames: 100, bytes: 1024 * 1024 })
  // many writers at once (a result per proposal), none of them waiting for the others
  const writes = Array.from({ length: 1000 }, async (_, i) => { await out.write(frame(i % 256)) })
  const settled = await Promise.allSettled(writes)
  const refused = settled.filter(s => s.status === 'rejected')
  assert.equal(settled.length - refused.length, 100, 'the first 100 are queued')
  assert.equal((refused[0] as PromiseRejectedResult).reason.name, 'SendQueueFullError')
  assert.equal(failures.length, 1, 'the owner hears it once (it aborts the stream)')
  await assert.rejects(out.write(frame(1)), { name: 'SendQueueFullError' })
})

test('a long queue leaves in writes of at most 1024 frames (88k frames in one write overflowed the call stack)', async () => {
  const r = recorder()
  const out = new FrameWriter(r.lp, new AbortController().signal)
  for (let i = 0; i < 3000; i++) void out.write(frame(i % 256, 1))
  await out.flush()
  assert.deepEqual(r.calls.map(c => c.length), [1024, 1024, 952])
})
