// Fetches a file's missing chunks from several holders at once (DESIGN.md flow 3): the schedule
// (reconcile/chunk-schedule.ts) says which chunks to ask of whom; this runs the requests, each
// on a block stream of its own, and reports every answer back. Every chunk is verified by
// fetchBlocks; a holder that sends wrong bytes, or cannot be reached, is dropped for this file.
import { ChunkSchedule, type Assignment, type ScheduleSource } from '../reconcile/chunk-schedule.ts'
import { ChunkList, ChunkListBuilder } from '../chunk/chunk-list.ts'
import { BLOCK_WINDOW_BYTES } from '../protocol/constants.ts'
import { fetchBlocks, fetchBlocksOrMissing, BlockMissingError, type FetchedBlock } from './block-transfer.ts'
import { ProtocolError } from '../protocol/errors.ts'
import type { Connection } from '@libp2p/interface'

/** No holder that can be reached has some chunk: try again when the holders change. */
export class NoSourceError extends Error {
  override name = 'NoSourceError'
  readonly code = 'ERR_NO_SOURCE'
}

/** The source could not be reached at all: dropped for the file at once. */
class DialFailedError extends Error {
  override name = 'DialFailedError'
  readonly code = 'ERR_DIAL_FAILED'
}

export interface FetchSource extends ScheduleSource {
  connect: (signal: AbortSignal) => Promise<Connection>
  /** as the only tier-0 source: given up when it sends nothing for this long (a member before
   * this one in the chain, which has no reason to be silent longer than its own wait) */
  idleMs?: number
}

/** The source sent nothing for its idle time: the rest comes from the others. */
export class SourceIdleError extends Error {
  override name = 'SourceIdleError'
  readonly code = 'ERR_SOURCE_IDLE'
}

export interface SpreadOptions {
  /** how far requests may run ahead of the first chunk not received (bounds what waits to be used) */
  lookaheadBytes: number
  /** bytes asked of one source and not yet answered (default: a block window, two requests) */
  sourceWindowBytes?: number
  /** a holder dropped for this file, and why */
  onSourceFailed?: (id: string, err: Error) => void
}

/** Broken requests a source may have (a stream reset under load) before it is dropped for the
 * file; a chunk that is not what its hash says drops it at once. */
const SOURCE_ERRORS = 3

/** One request (a block stream of its own) asks about 2 MiB: half a source's window, so the next
 * is there before the source runs dry. With four streams per source at once the serving side reset
 * new streams under load (StreamStateError on their first write; cause not found); with two it did not. */
const BATCH_BYTES = BLOCK_WINDOW_BYTES / 2

/**
 * Chunks of `refs` from the sources, as they arrive, in any order; `onChunk` (awaited, so it is
 * the backpressure) gets each chunk's index in `refs`. Rejects with NoSourceError when a chunk
 * cannot be had from any source, or with onChunk's own error.
 */
export class SpreadFetch {
  readonly #refs: ChunkList
  readonly #schedule: ChunkSchedule
  readonly #sources = new Map<string, FetchSource>()
  readonly #conns = new Map<string, Promise<Connection>>()
  readonly #opts: SpreadOptions
  readonly #abort = new AbortController()
  readonly #errors = new Map<string, number>()
  #wake = Promise.withResolvers<void>()

  constructor (refs: ChunkList, sources: FetchSource[], opts: SpreadOptions) {
    this.#refs = refs
    this.#opts = opts
    const sizes = new Uint32Array(refs.length)
    for (let i = 0; i < refs.length; i++) sizes[i] = refs.size(i)
    this.#schedule = new ChunkSchedule(sizes, [], { batchBytes: BATCH_BYTES, sourceWindowBytes: opts.sourceWindowBytes ?? BLOCK_WINDOW_BYTES, lookaheadBytes: opts.lookaheadBytes })
    for (const s of sources) this.addSource(s)
  }

  /** A holder that appeared meanwhile (the hub said so). */
  addSource (src: FetchSource): void {
    if (!this.#sources.has(src.id)) this.#sources.set(src.id, src)
    this.#schedule.addSource(src)
    this.#wake.resolve()
  }

  async run (signal: AbortSignal, onChunk: (index: number, block: FetchedBlock) => Promise<void> | void): Promise<void> {
    const sig = AbortSignal.any([signal, this.#abort.signal])
    const running = new Set<Promise<void>>()
    let fatal: Error | undefined
    const deliver = async (i: number, b: FetchedBlock): Promise<void> => {
      try {
        await onChunk(i, b)
      } catch (err) {
        fatal ??= err as Error
        this.#abort.abort(err)
      }
    }
    try {
      while (true) {
        if (fatal != null) throw fatal
        sig.throwIfAborted()
        for (let a = this.#schedule.next(); a != null; a = this.#schedule.next()) {
          const task: Promise<void> = this.#request(a, sig, deliver).finally(() => {
            running.delete(task)
            this.#wake.resolve()
          })
          running.add(task)
        }
        const state = this.#schedule.state
        if (state === 'done' && running.size === 0) break
        if (state === 'stuck' && running.size === 0) throw new NoSourceError(`no reachable holder has all ${this.#refs.length} chunks`)
        await this.#wake.promise
        this.#wake = Promise.withResolvers<void>()
      }
      if (fatal != null) throw fatal
    } finally {
      this.#abort.abort()
      await Promise.allSettled(running)
    }
  }

  async #request (a: Assignment, signal: AbortSignal, deliver: (i: number, b: FetchedBlock) => Promise<void>): Promise<void> {
    const src = this.#sources.get(a.source)!
    let k = 0
    try {
      let conn = this.#conns.get(src.id)
      if (conn == null) this.#conns.set(src.id, conn = src.connect(signal).catch(err => { throw new DialFailedError((err as Error).message) }))
      const c = await conn
      for await (const b of fetchBlocksOrMissing(c, ChunkList.of(a.chunks.map(i => this.#refs.ref(i))), signal)) {
        const i = a.chunks[k++]!
        if ('missing' in b) {
          this.#schedule.missing(src.id, i)
        } else {
          this.#schedule.received(src.id, i)
          await deliver(i, b)
        }
        this.#wake.resolve()
      }
    } catch (err) {
      if (signal.aborted) return
      const errors = (this.#errors.get(src.id) ?? 0) + 1
      this.#errors.set(src.id, errors)
      if (errors < SOURCE_ERRORS && !(err instanceof ProtocolError) && !(err instanceof DialFailedError)) {
        for (const i of a.chunks.slice(Math.max(0, k - 1))) this.#schedule.giveBack(src.id, i)
        return
      }
      this.#schedule.failed(src.id)
      this.#opts.onSourceFailed?.(src.id, err as Error)
    }
  }
}

/**
 * The chunks in order, verified, from whichever sources have them (the shape apply-remote
 * consumes). What arrived ahead of its turn waits here, up to about `lookaheadBytes`.
 */
export async function * fetchOrdered (refs: ChunkList, sources: FetchSource[], signal: AbortSignal, opts: SpreadOptions, spread?: (f: SpreadFetch) => void): AsyncGenerator<FetchedBlock> {
  if (refs.length === 0) return
  const holders = sources.filter(s => s.tier === 0)
  if (holders.length === 1) {
    // one holder: one ordered stream with the whole window, as before there were several (the
    // measured path); if it breaks off, the rest comes from the other sources
    const only = holders[0]!
    let got = 0
    const idle = new AbortController()
    const timer = only.idleMs == null ? undefined : setTimeout(() => { idle.abort(new SourceIdleError(`${only.id} sent nothing for ${only.idleMs! / 1000} s`)) }, only.idleMs)
    const watched = AbortSignal.any([signal, idle.signal])
    try {
      for await (const b of fetchBlocks(await only.connect(watched), refs, watched)) {
        timer?.refresh()
        got++
        yield b
      }
      return
    } catch (caught) {
      if (signal.aborted) throw caught
      const err = idle.signal.aborted ? idle.signal.reason as Error : caught
      const others = sources.filter(s => s !== only).map(s => ({ ...s, tier: 0 as const }))
      if (others.length === 0) throw err instanceof BlockMissingError ? new NoSourceError(err.message) : err
      if (!(err instanceof BlockMissingError)) opts.onSourceFailed?.(only.id, err as Error)
      const rest = new ChunkListBuilder()
      for (let i = got; i < refs.length; i++) rest.push(refs.hash(i), refs.size(i))
      yield * fetchOrdered(rest.finish(), others, signal, opts, spread)
      return
    } finally {
      clearTimeout(timer)
    }
  }
  const fetch = new SpreadFetch(refs, sources, opts)
  spread?.(fetch)
  const ready = new Map<number, FetchedBlock>()
  let readyBytes = 0
  let next = 0
  let arrived = Promise.withResolvers<void>()
  let taken = Promise.withResolvers<void>()
  const ac = new AbortController()
  const done = fetch.run(AbortSignal.any([signal, ac.signal]), async (i, b) => {
    ready.set(i, b)
    readyBytes += b.ref.size
    arrived.resolve()
    // the chunk the consumer waits for is always let in, so a full buffer cannot deadlock
    while (readyBytes > opts.lookaheadBytes && i !== next && ready.has(i) && !ac.signal.aborted && !signal.aborted) {
      await taken.promise
    }
  })
  let failed: unknown
  done.catch(err => { failed = err; arrived.resolve() })
  try {
    for (; next < refs.length; next++) {
      while (!ready.has(next)) {
        if (failed != null) throw failed
        await arrived.promise
        arrived = Promise.withResolvers<void>()
      }
      const b = ready.get(next)!
      ready.delete(next)
      readyBytes -= b.ref.size
      taken.resolve()
      taken = Promise.withResolvers<void>()
      yield b
    }
    await done
  } finally {
    ac.abort()
    taken.resolve()
    await done.catch(() => {})
  }
}
