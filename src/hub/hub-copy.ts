// The hub's own copy of announced entries (DESIGN.md flow 2, "hold eventually"). An entry is
// committed and relayed before the hub holds its chunks; the hub fetches them like a receiver,
// from the holders, and marks the entry held once every chunk is durable. It lets receivers go
// first while they can (on two cores, a proposer serving the hub and a receiver at once served
// the file twice over): it starts when a receiver holds the version (and fetches from it), when
// someone asks the hub for one of its chunks, when nobody else is there to fetch, or after
// COPY_DELAY_MS. A chunk asked of the hub while it is on its way is answered when it lands.
import { setTimeout as sleep } from 'node:timers/promises'
import { hex } from '../index/entry.ts'
import { ChunkListBuilder, type ChunkList } from '../chunk/chunk-list.ts'
import { SpreadFetch, NoSourceError, type FetchSource } from '../net/multi-fetch.ts'
import type { BlockSource } from '../net/block-transfer.ts'
import type { StoredBlock } from '../net/block-codec.ts'
import type { ChunkStore } from '../store/chunk-store.ts'
import type { JournalRecord, JournalStore } from '../index/journal-store.ts'
import type { HolderBook } from './holder-book.ts'
import type { Connection } from '@libp2p/interface'
import { logger } from '../logger.ts'

const log = logger('hub')

/** How long the hub leaves a new version to its receivers before it takes its own copy anyway. */
const COPY_DELAY_MS = 5000
/** How long a request for a chunk the hub is still receiving waits before it is answered "missing". */
const CUT_THROUGH_WAIT_MS = 10_000
const PARALLEL_CHUNK_WRITES = 8
/** A copy that found no holder is tried again on every join, applied report or holder change;
 * and after this long regardless, in case one came while the copy was still failing. */
const STUCK_RETRY_MS = 30_000

export interface HubCopyDeps {
  chunks: ChunkStore
  journal: JournalStore
  book: HolderBook
  /** the hub's connection to an online member */
  connectionOf: (peer: string) => Connection | undefined
  /** the entry is held now (durably) */
  held: (rec: JournalRecord) => void
  bytesIn: (n: number) => void
  signal: AbortSignal
}

interface Pending {
  rec: JournalRecord
  missing: ChunkList
  state: 'waiting' | 'fetching' | 'stuck'
  /** members or holders changed while fetching: if this fetch fails, try again at once */
  recheck: boolean
  abort: AbortController
  timer: NodeJS.Timeout
  fetch?: SpreadFetch
}

export class HubCopy implements BlockSource {
  readonly #deps: HubCopyDeps
  readonly #pending = new Map<number, Pending>()
  readonly #byPath = new Map<string, number>()
  /** chunk (hex) -> pending seqs that need it */
  readonly #wanted = new Map<string, Set<number>>()
  readonly #arrivals = new Map<string, PromiseWithResolvers<void>>()

  constructor (deps: HubCopyDeps) {
    this.#deps = deps
  }

  /** The distinct chunks of `entry` the store lacks. */
  missingChunks (entry: { chunks: ChunkList }): ChunkList {
    const { chunks } = entry
    const first = chunks.firstIndexes()
    const out = new ChunkListBuilder()
    for (let i = 0; i < chunks.length; i++) {
      if (first[i] === i && !this.#deps.chunks.has(chunks.hash(i))) out.push(chunks.hash(i), chunks.size(i))
    }
    return out.finish()
  }

  get pendingCount (): number { return this.#pending.size }

  /** Pending versions this member proposed: back after a disconnect, it most likely still holds them. */
  proposedBy (peer: string): number[] {
    return [...this.#pending.values()].filter(p => p.rec.origin === peer).map(p => p.rec.seq)
  }

  /** Whether a pending version needs this chunk (a request for it may wait for it). */
  wants (hash: Uint8Array): boolean { return this.#wanted.has(hex(hash)) }

  /** A record was committed for this path: an older pending version of it is abandoned. */
  replaced (path: string, bySeq: number): void {
    const old = this.#byPath.get(path)
    if (old == null || old === bySeq) return
    const p = this.#pending.get(old)
    if (p != null) this.#drop(p, 'replaced by a newer version')
  }

  /** A committed record the hub does not hold: track it until it does. */
  add (rec: JournalRecord): void {
    const missing = this.missingChunks(rec.entry)
    const p: Pending = { rec, missing, state: 'waiting', recheck: false, abort: new AbortController(), timer: setTimeout(() => { this.#start(p, 'delay') }, COPY_DELAY_MS).unref() }
    this.#pending.set(rec.seq, p)
    this.#byPath.set(rec.entry.path, rec.seq)
    for (const r of missing) {
      const key = hex(r.hash)
      let set = this.#wanted.get(key)
      if (set == null) this.#wanted.set(key, set = new Set())
      set.add(rec.seq)
    }
    if (missing.length === 0) void this.#finish(p)
    else this.consider(rec.seq)
  }

  /** Holders or members changed: start the copies that may start now, retry the stuck ones. */
  consider (seq?: number): void {
    const list = seq == null ? [...this.#pending.values()] : [this.#pending.get(seq)].filter(p => p != null)
    for (const p of list) {
      const holders = this.#deps.book.holders(p.rec.seq)
      if (p.state === 'fetching') {
        for (const peer of holders) p.fetch?.addSource(this.#source(peer, 0))
        p.recheck = true
        continue
      }
      if (p.state === 'stuck') { this.#start(p, 'holders changed'); continue }
      const receiverHolds = holders.some(h => h !== p.rec.origin)
      const othersOnline = this.#deps.book.members().some(m => !holders.includes(m.peer))
      if (receiverHolds || !othersOnline) this.#start(p, receiverHolds ? 'a receiver holds it' : 'no receiver online')
    }
  }

  /** Serves the chunk store, waiting a while for chunks that are on their way. */
  async get (hash: Uint8Array): Promise<StoredBlock | null> {
    const stored = await this.#deps.chunks.get(hash)
    if (stored != null) return stored
    const key = hex(hash)
    const seqs = this.#wanted.get(key)
    if (seqs == null) return null
    let coming = false
    for (const seq of seqs) {
      const p = this.#pending.get(seq)
      if (p?.state === 'waiting') this.#start(p, 'asked for')
      if (p?.state === 'fetching') coming = true
    }
    // no copy under way has anyone to fetch from: "missing" now, so the asker looks elsewhere or waits
    if (!coming) return null
    let arrival = this.#arrivals.get(key)
    if (arrival == null) this.#arrivals.set(key, arrival = Promise.withResolvers())
    const ac = new AbortController()
    await Promise.race([arrival.promise, sleep(CUT_THROUGH_WAIT_MS, undefined, { signal: ac.signal }).catch(() => {})])
    ac.abort()
    return await this.#deps.chunks.get(hash)
  }

  #source (peer: string, tier: 0 | 1): FetchSource {
    return {
      id: peer,
      tier,
      connect: async () => {
        const c = this.#deps.connectionOf(peer)
        if (c == null || c.status !== 'open') throw new Error(`member ${peer} is not connected`)
        return c
      }
    }
  }

  #start (p: Pending, why: string): void {
    if (p.state === 'fetching' || this.#pending.get(p.rec.seq) !== p) return
    clearTimeout(p.timer)
    p.state = 'fetching'
    p.recheck = false
    const holders = this.#deps.book.holders(p.rec.seq)
    // members not listed as holders may have it all the same (after a hub restart nobody is listed)
    const others = this.#deps.book.members().map(m => m.peer).filter(m => !holders.includes(m))
    p.fetch = new SpreadFetch(this.missingChunks(p.rec.entry), [...holders.map(h => this.#source(h, 0)), ...others.map(m => this.#source(m, 1))], {
      lookaheadBytes: Number.MAX_SAFE_INTEGER,
      onSourceFailed: (id, err) => { log.debug({ seq: p.rec.seq, peer: id, err: err.message }, 'holder dropped for this copy') }
    })
    log.debug({ seq: p.rec.seq, path: p.rec.entry.path, why, holders: holders.length }, 'taking the hub\'s copy')
    void this.#copy(p).catch(err => {
      if (this.#pending.get(p.rec.seq) !== p) return
      p.state = 'stuck'
      // requests waiting for these chunks are answered "missing" now
      for (const r of p.missing) this.#landed(hex(r.hash))
      if (p.recheck && !this.#deps.signal.aborted) { this.#start(p, 'members changed meanwhile'); return }
      p.timer = setTimeout(() => { if (p.state === 'stuck') this.#start(p, 'retry') }, STUCK_RETRY_MS).unref()
      if (!(err instanceof NoSourceError) && !this.#deps.signal.aborted) log.warn({ seq: p.rec.seq, err: (err as Error).message }, 'copy failed; waiting for holders')
    })
  }

  async #copy (p: Pending): Promise<void> {
    const writing = new Set<Promise<void>>()
    const signal = AbortSignal.any([this.#deps.signal, p.abort.signal])
    await p.fetch!.run(signal, async (_i, block) => {
      this.#deps.bytesIn(block.wire.data.byteLength)
      const key = hex(block.ref.hash)
      const w: Promise<void> = this.#deps.chunks.put(block.ref.hash, block.wire).then(() => { this.#landed(key) }).finally(() => writing.delete(w))
      writing.add(w)
      if (writing.size >= PARALLEL_CHUNK_WRITES) await Promise.race(writing)
    })
    await Promise.all(writing)
    await this.#finish(p)
  }

  async #finish (p: Pending): Promise<void> {
    // DESIGN.md, durability: chunk bytes durable before the journal says held
    await this.#deps.chunks.sync()
    if (this.#pending.get(p.rec.seq) !== p) return
    const marked = this.#deps.journal.markHeld(p.rec.seq)
    await this.#deps.journal.durable()
    this.#forget(p)
    if (!marked) return
    p.rec.held = true
    log.info({ seq: p.rec.seq, path: p.rec.entry.path }, 'held')
    this.#deps.held(p.rec)
  }

  #landed (key: string): void {
    this.#arrivals.get(key)?.resolve()
    this.#arrivals.delete(key)
  }

  #drop (p: Pending, why: string): void {
    log.debug({ seq: p.rec.seq, path: p.rec.entry.path, why }, 'hub copy abandoned')
    p.abort.abort()
    this.#forget(p)
  }

  #forget (p: Pending): void {
    clearTimeout(p.timer)
    this.#pending.delete(p.rec.seq)
    if (this.#byPath.get(p.rec.entry.path) === p.rec.seq) this.#byPath.delete(p.rec.entry.path)
    for (const r of p.missing) {
      const key = hex(r.hash)
      const set = this.#wanted.get(key)
      set?.delete(p.rec.seq)
      if (set?.size === 0) {
        this.#wanted.delete(key)
        this.#landed(key)
      }
    }
  }
}
