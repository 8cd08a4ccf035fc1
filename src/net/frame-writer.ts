// Length-prefixed frames out of a sync stream, the frames of one event-loop turn in one write.
// Each stream write is a yamux frame, a Noise frame and a socket write or two; a bulk sync sends
// thousands of small frames (a proposal, its result, the relayed change), and paying that per
// frame was a large share of the CPU. On the wire nothing changes: frames follow one another.
import type { LengthPrefixedStream } from '@libp2p/utils'
import { MAX_FRAMES_PER_WRITE, MAX_QUEUED_BYTES, MAX_QUEUED_FRAMES } from './limits.ts'

/** Queued bytes past which a writer waits for the queue to go out (backpressure). */
const HIGH_WATER_BYTES = 256 * 1024

/** The peer does not read what is sent to it: its stream is given up. */
export class SendQueueFullError extends Error {
  override name = 'SendQueueFullError'
  readonly code = 'ERR_SEND_QUEUE_FULL'
}

export interface FrameWriterLimits { frames: number, bytes: number }

export class FrameWriter {
  readonly #lp: LengthPrefixedStream
  readonly #signal: AbortSignal
  readonly #onFail: (err: Error) => void
  readonly #limits: FrameWriterLimits
  #queue: Uint8Array[] = []
  #queuedBytes = 0
  #flushing: Promise<void> | undefined
  #failed: Error | undefined

  /** `onFail` hears the first failure once (the owner aborts the stream there). */
  constructor (lp: LengthPrefixedStream, signal: AbortSignal, onFail: (err: Error) => void = () => {}, limits: FrameWriterLimits = { frames: MAX_QUEUED_FRAMES, bytes: MAX_QUEUED_BYTES }) {
    this.#lp = lp
    this.#signal = signal
    this.#onFail = onFail
    this.#limits = limits
  }

  /**
   * Queues a frame; it leaves with the others of this turn. Resolves at once unless the queue is
   * full; rejects if an earlier write failed (the stream is then broken: its reader sees that too)
   * or if the queue is past its bounds (many writers each waiting on a peer that does not read).
   */
  async write (frame: Uint8Array): Promise<void> {
    if (this.#failed != null) throw this.#failed
    if (this.#queue.length >= this.#limits.frames || this.#queuedBytes + frame.byteLength > this.#limits.bytes) {
      this.#fail(new SendQueueFullError(`the peer does not read: ${this.#queue.length} frames, ${this.#queuedBytes} bytes queued`))
      throw this.#failed!
    }
    this.#queue.push(frame)
    this.#queuedBytes += frame.byteLength
    if (this.#flushing == null) {
      this.#flushing = this.#flushSoon()
      // a failure surfaces at the next write or flush; unawaited it must not end the process
      this.#flushing.catch(() => {})
    }
    if (this.#queuedBytes >= HIGH_WATER_BYTES) await this.#flushing
  }

  /** Resolves once everything queued so far is written. */
  async flush (): Promise<void> {
    await this.#flushing
    if (this.#failed != null) throw this.#failed
  }

  #fail (err: Error): void {
    if (this.#failed != null) return
    this.#failed = err
    this.#queue = []
    this.#queuedBytes = 0
    this.#onFail(err)
  }

  async #flushSoon (): Promise<void> {
    // after this turn's other writes (setImmediate: once the I/O callbacks of this turn are done)
    await new Promise(resolve => setImmediate(resolve))
    try {
      while (this.#queue.length > 0 && this.#failed == null) {
        const frames = this.#queue.splice(0, MAX_FRAMES_PER_WRITE)
        for (const f of frames) this.#queuedBytes -= f.byteLength
        await this.#lp.writeV(frames, { signal: this.#signal })
      }
    } catch (err) {
      this.#fail(err as Error)
      throw err
    } finally {
      this.#flushing = undefined
    }
  }
}
