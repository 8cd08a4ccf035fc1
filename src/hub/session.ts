// One client's sync stream on the hub, bound to one folder by its Hello. The folder's journal is
// the send queue: the session walks it from its cursor, so a slow client costs the hub a cursor,
// not a growing buffer.
import type { LengthPrefixedStream } from '@libp2p/utils'
import { boundedLpStream } from '../net/bounded-lp.ts'
import { CHANGED_WINDOW_BYTES, CHANGED_WINDOW_FRAMES, SYNC_READ_BUFFER } from '../net/limits.ts'
import { ProtocolError } from '../protocol/errors.ts'
import { MAX_SYNC_FRAME } from '../protocol/constants.ts'
import { FrameWriter } from '../net/frame-writer.ts'
import { encodeHubMessage, type Result } from '../protocol/codec.ts'
import type { JournalRecord, JournalStore } from '../index/journal-store.ts'
import type { Folder } from './folders.ts'
import type { Connection, Stream } from '@libp2p/interface'

const PAGE = 256

export class Session {
  readonly peer: string
  readonly connection: Connection
  readonly stream: Stream
  readonly lp: LengthPrefixedStream
  readonly #out: FrameWriter
  readonly #signal: AbortSignal
  #folder: Folder | undefined
  #changedFrame: (rec: JournalRecord) => Promise<Uint8Array> = async () => await Promise.reject(new Error('not subscribed'))
  #cursor = -1
  #wake: (() => void) | undefined
  #pumping = false
  /** Changed frames sent and reported done (Progress), with their bytes: the send window */
  readonly #sent = { frames: 0, bytes: 0 }
  readonly #done = { frames: 0, bytes: 0 }

  constructor (stream: Stream, connection: Connection, signal: AbortSignal) {
    this.peer = connection.remotePeer.toString()
    this.connection = connection
    this.stream = stream
    this.lp = boundedLpStream(stream, { maxDataLength: MAX_SYNC_FRAME, maxBufferSize: SYNC_READ_BUFFER })
    // a client that does not read its results and changes loses its stream
    this.#out = new FrameWriter(this.lp, signal, err => { stream.abort(err) })
    this.#signal = signal
    const wake = (): void => { this.#wake?.() }
    signal.addEventListener('abort', wake, { once: true })
    stream.addEventListener('close', wake, { once: true })
  }

  /** The folder its Hello named; undefined before. */
  get folder (): Folder | undefined { return this.#folder }

  get #journal (): JournalStore { return this.#folder!.journal }

  /**
   * Starts relaying the folder's records after `since`, then every new one as it lands.
   * `changedFrame` gives a record's Changed frame, the same bytes for every session.
   */
  subscribe (folder: Folder, since: number, changedFrame: (rec: JournalRecord) => Promise<Uint8Array>): void {
    this.#folder = folder
    this.#changedFrame = changedFrame
    this.#cursor = Math.min(since, this.#journal.headSeq)
    void this.#pump().catch(err => { this.stream.abort(err as Error) })
  }

  /** Tells the client why it is turned away, before the stream closes. */
  async sendRefused (reason: string): Promise<void> {
    await this.#out.write(encodeHubMessage({ type: 'refused', reason }))
    await this.#out.flush()
  }

  /** Tells the session the journal grew. */
  poke (): void {
    this.#wake?.()
  }

  /** The client reports how many Changed frames (and bytes) it is done with: more may go. */
  progress (frames: number, bytes: number): void {
    if (frames < this.#done.frames || bytes < this.#done.bytes || frames > this.#sent.frames || bytes > this.#sent.bytes) {
      throw new ProtocolError('ERR_BAD_PROGRESS', `progress ${frames} frames / ${bytes} bytes, but ${this.#sent.frames} / ${this.#sent.bytes} were sent and ${this.#done.frames} / ${this.#done.bytes} reported`)
    }
    this.#done.frames = frames
    this.#done.bytes = bytes
    this.#wake?.()
  }

  /** A frame outside the journal's order (members, holders). */
  async send (frame: Uint8Array): Promise<void> {
    await this.#out.write(frame)
  }

  async sendResult (result: Result): Promise<void> {
    await this.#out.write(encodeHubMessage({ type: 'result', result }))
  }

  async #pump (): Promise<void> {
    if (this.#pumping) return
    this.#pumping = true
    let caughtUp = false
    while (!this.#signal.aborted && this.stream.status === 'open') {
      const head = this.#journal.headSeq
      const page = this.#journal.since(this.#cursor, PAGE)
      for (const rec of page) {
        // echo exclusion: never send a peer its own change. Records the hub made itself
        // (conflict copies) carry the hub's ID and go to everyone.
        if (rec.origin === this.peer) continue
        if (!await this.#windowOpen()) return
        const frame = await this.#changedFrame(rec)
        this.#sent.frames++
        this.#sent.bytes += frame.byteLength
        await this.#out.write(frame)
      }
      if (page.length === PAGE) {
        this.#cursor = page.at(-1)!.seq
        continue
      }
      // a short page held everything up to head that is still the newest of its path
      this.#cursor = Math.max(this.#cursor, head)
      if (!caughtUp) {
        caughtUp = true
        await this.#out.write(encodeHubMessage({ type: 'caught-up', seq: this.#cursor }))
      }
      if (this.#journal.headSeq > this.#cursor) continue
      await this.#sleep()
    }
  }

  /** Waits while the client holds a window's worth of frames it has not done with; false once
   * the session ends. */
  async #windowOpen (): Promise<boolean> {
    while (true) {
      if (this.#signal.aborted || this.stream.status !== 'open') return false
      const frames = this.#sent.frames - this.#done.frames
      if (frames === 0 || (frames < CHANGED_WINDOW_FRAMES && this.#sent.bytes - this.#done.bytes < CHANGED_WINDOW_BYTES)) return true
      await this.#sleep()
    }
  }

  /** Until the journal grows, the client reports progress or the session ends. */
  async #sleep (): Promise<void> {
    await new Promise<void>(resolve => { this.#wake = resolve })
    this.#wake = undefined
  }
}
