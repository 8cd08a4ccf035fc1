// The client's end of the sync protocol: proposals out with ids, results and relayed changes in,
// and how many of those changes it is done with (the hub sends more only within a window of
// that). One channel per hub connection; a new connection gets a new channel.
import type { LengthPrefixedStream } from '@libp2p/utils'
import { boundedLpStream } from '../net/bounded-lp.ts'
import { PROGRESS_EVERY_FRAMES, SYNC_READ_BUFFER } from '../net/limits.ts'
import { MAX_SYNC_FRAME } from '../protocol/constants.ts'
import { decodeHubMessage, encodeClientMessage, type AttachedBlock, type Changed, type HolderList, type MembersUpdate, type Result } from '../protocol/codec.ts'
import { readFrame } from '../net/frames.ts'
import { FrameWriter } from '../net/frame-writer.ts'
import { TurnSlicer } from '../net/turn-slicer.ts'
import type { Entry } from '../index/entry.ts'
import { HubRefusedError } from './hub-link.ts'
import type { Stream } from '@libp2p/interface'

export class ChannelClosedError extends Error {
  override name = 'ChannelClosedError'
  readonly code = 'ERR_CHANNEL_CLOSED'
}

/** How long a few frames done wait to be reported together. */
const PROGRESS_DELAY_MS = 20

export interface ChannelHandlers {
  /** `done` must be called once the change has been tried (applied, skipped, or set aside to
   * retry or to wait for a holder): until then it counts against the hub's window; calls after
   * the first do nothing */
  changed: (c: Changed, done: () => void) => void
  caughtUp: (seq: number) => void
  invalid: (seq: number, err: Error) => void
  members?: (update: MembersUpdate) => void
  holders?: (seq: number, holders: HolderList) => void
}

export class SyncChannel {
  readonly #stream: Stream
  readonly #lp: LengthPrefixedStream
  readonly #out: FrameWriter
  readonly #pending = new Map<number, PromiseWithResolvers<Result>>()
  readonly #signal: AbortSignal
  readonly #folder: string
  #nextId = 1
  #closed: Error | undefined
  readonly #done = { frames: 0, bytes: 0, reported: 0 }
  #progressTimer: NodeJS.Timeout | undefined

  constructor (stream: Stream, folder: string, signal: AbortSignal) {
    this.#stream = stream
    this.#folder = folder
    this.#lp = boundedLpStream(stream, { maxDataLength: MAX_SYNC_FRAME, maxBufferSize: SYNC_READ_BUFFER })
    this.#out = new FrameWriter(this.#lp, signal, err => { stream.abort(err) })
    this.#signal = signal
  }

  /**
   * Says hello and reads until the stream ends; resolves then (the caller reconnects or exits).
   * Rejects with HubRefusedError if the hub will not sync this folder with this client.
   */
  async run (sinceSeq: number, addrs: string[], handlers: ChannelHandlers): Promise<void> {
    try {
      await this.#out.write(encodeClientMessage({ type: 'hello', hello: { sinceSeq, folder: this.#folder, addrs } }))
      const turns = new TurnSlicer()
      while (true) {
        await turns.pass()
        const frame = await readFrame(this.#lp, this.#signal)
        if (frame == null) break
        const msg = decodeHubMessage(frame)
        switch (msg.type) {
          case 'changed': handlers.changed(msg.changed, this.#doneOnce(frame.byteLength)); break
          case 'caught-up': handlers.caughtUp(msg.seq); break
          case 'invalid-changed':
            handlers.invalid(msg.seq, msg.error)
            this.#doneOnce(frame.byteLength)()
            break
          case 'members': handlers.members?.(msg.update); break
          case 'holders': handlers.holders?.(msg.seq, msg.holders); break
          case 'refused': throw new HubRefusedError(`the hub refused folder "${this.#folder}": ${msg.reason}`)
          case 'result': {
            const p = this.#pending.get(msg.result.id)
            this.#pending.delete(msg.result.id)
            p?.resolve(msg.result)
            break
          }
        }
      }
      this.#close(new ChannelClosedError('the hub closed the sync stream'))
    } catch (err) {
      this.#close(new ChannelClosedError(`sync stream failed: ${(err as Error).message}`))
      this.#stream.abort(err as Error)
      if (err instanceof HubRefusedError) throw err
    }
  }

  async propose (entry: Entry, baseSeq: number, blocks: AttachedBlock[] = []): Promise<Result> {
    if (this.#closed != null) throw this.#closed
    const id = this.#nextId++
    const p = Promise.withResolvers<Result>()
    this.#pending.set(id, p)
    try {
      await this.#out.write(encodeClientMessage({ type: 'propose', propose: { id, entry, baseSeq, blocks } }))
    } catch (err) {
      this.#pending.delete(id)
      throw new ChannelClosedError(`cannot send to the hub: ${(err as Error).message}`)
    }
    return await p.promise
  }

  /** Tells the hub this client now holds every chunk of that version. */
  applied (seq: number): void {
    if (this.#closed != null) return
    void this.#out.write(encodeClientMessage({ type: 'applied', seq })).catch(() => {})
  }

  #doneOnce (bytes: number): () => void {
    let once = false
    return () => {
      if (once) return
      once = true
      this.#done.frames++
      this.#done.bytes += bytes
      if (this.#done.frames - this.#done.reported >= PROGRESS_EVERY_FRAMES) this.#reportProgress()
      else this.#progressTimer ??= setTimeout(() => { this.#reportProgress() }, PROGRESS_DELAY_MS)
    }
  }

  #reportProgress (): void {
    clearTimeout(this.#progressTimer)
    this.#progressTimer = undefined
    if (this.#closed != null) return
    const { frames, bytes } = this.#done
    this.#done.reported = frames
    void this.#out.write(encodeClientMessage({ type: 'progress', frames, bytes })).catch(() => {})
  }

  close (): void {
    this.#close(new ChannelClosedError('closed'))
    void this.#stream.close().catch(() => {})
  }

  #close (err: Error): void {
    this.#closed ??= err
    clearTimeout(this.#progressTimer)
    for (const p of this.#pending.values()) p.reject(this.#closed)
    this.#pending.clear()
  }
}
