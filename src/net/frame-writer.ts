// Length-prefixed frames out of a sync stream, the frames of one event-loop turn in one write.
// Each stream write is a yamux frame, a Noise frame and a socket write or two; a bulk sync sends
// thousands of small frames (a proposal, its result, the relayed change), and paying that per
// frame was a large share of the CPU. On the wire nothing changes: frames follow one another.
import type { LengthPrefixedStream } from '@libp2p/utils'

/** Queued bytes past which a writer waits for the queue to go out (backpressure). */
const HIGH_WATER_BYTES = 256 * 1024

export class FrameWriter {
  readonly #lp: LengthPrefixedStream
  readonly #signal: AbortSignal
  #queue: Uint8Array[] = []
  #queuedBytes = 0
  #flushing: Promise<void> | undefined
  #failed: Error | undefined

  constructor (lp: LengthPrefixedStream, signal: AbortSignal) {
    this.#lp = lp
    this.#signal = signal
  }

  /**
   * Queues a frame; it leaves with the others of this turn. Resolves at once unless the queue is
   * full; rejects if an earlier write failed (the stream is then broken: its reader sees that too).
   */
  async write (frame: Uint8Array): Promise<void> {
    if (this.#failed != null) throw this.#failed
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

  async #flushSoon (): Promise<void> {
    // after this turn's other writes (setImmediate: once the I/O callbacks of this turn are done)
    await new Promise(resolve => setImmediate(resolve))
    try {
      while (this.#queue.length > 0) {
        const frames = this.#queue
        this.#queue = []
        this.#queuedBytes = 0
        await this.#lp.writeV(frames, { signal: this.#signal })
      }
    } catch (err) {
      this.#failed = err as Error
      this.#queue = []
      this.#queuedBytes = 0
      throw err
    } finally {
      this.#flushing = undefined
    }
  }
}
