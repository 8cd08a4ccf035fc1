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

/** How long the hub leaves a new version to its receivers before it takes its own copy anyway
 * (a copy alongside them took the proposer's upload from the receivers). */
const COPY_DELAY_MS = 30_000
/** Bytes the copy asks of one holder at a time: the copy never fills a link's queue, so that a
 * small change crossing the same link does not wait behind it. */
const COPY_WINDOW_BYTES = 128 * 1024
/** How long a request for a chunk the hub is still receiving waits before it is answered "missing". */
const CUT_THROUGH_WAIT_MS = 10_000
const PARALLEL_CHUNK_WRITES = 8
const NEEDED = 1
const LANDED = 2
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
  /** runs a copy within the bound of chunk fetches at once for the version's proposer */
  bounded: <T>(origin: string, signal: AbortSignal, fn: (signal: AbortSignal, progress: () => void) => Promise<T>) => Promise<T>
  signal: AbortSignal
}

/** What a proposal holds of its proposer's budget: kept until the hub holds the version (or
 * drops it, or the proposer leaves), since the hub still has to fetch the chunks it lists. */
export interface ProposalCharge { release: () => void, kept: boolean }

/** A pending version's record and, per chunk of its entry, NEEDED while the store lacks it (a
 * repeat's first index only): one byte a chunk, no list or per-chunk map of its own. */
interface Loaded { rec: JournalRecord, need: Uint8Array }

interface Pending {
  seq: number
  path: string
  origin: string
  /** in memory only while the proposer's budget pays for it or its copy runs: a proposer that
   * leaves and comes back cannot pile up records here past its budget */
  loaded: Loaded | undefined
  charge: ProposalCharge | undefined
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
  /** requests waiting for a chunk on its way, by the chunk's hex (as many as requests wait) */
  readonly #arrivals = new Map<string, PromiseWithResolvers<void>>()

  constructor (deps: HubCopyDeps) {
    this.#deps = deps
  }

  /** The distinct chunks of `entry` the store lacks. */
  missingChunks (entry: { chunks: ChunkList }): ChunkList {
    const { chunks } = entry
    const need = this.#need(chunks)
    const out = new ChunkListBuilder()
    for (let i = 0; i < chunks.length; i++) if (need[i] === NEEDED) out.push(chunks.hash(i), chunks.size(i))
    return out.finish()
  }

  /** Whether the store lacks any chunk of `entry` (stops at the first). */
  lacksAny (entry: { chunks: ChunkList }): boolean {
    const { chunks } = entry
    for (let i = 0; i < chunks.length; i++) if (!this.#deps.chunks.has(chunks.hash(i))) return true
    return false
  }

  #need (chunks: ChunkList): Uint8Array {
    const first = chunks.firstIndexes()
    const need = new Uint8Array(chunks.length)
    for (let i = 0; i < chunks.length; i++) if (first[i] === i && !this.#deps.chunks.has(chunks.hash(i))) need[i] = NEEDED
    return need
  }

  get pendingCount (): number { return this.#pending.size }

  /** Pending versions this member proposed: back after a disconnect, it most likely still holds them. */
  proposedBy (peer: string): number[] {
    return [...this.#pending.values()].filter(p => p.origin === peer).map(p => p.seq)
  }

  /** The proposer left: its proposals no longer hold its budget (the copies go on from others). */
  originLeft (peer: string): void {
    for (const p of this.#pending.values()) {
      if (p.origin !== peer) continue
      this.#release(p)
      this.#unload(p)
    }
  }

  /** Whether a pending version needs this chunk (a request for it may wait for it). */
  wants (hash: Uint8Array): boolean { return this.#needing(hash).length > 0 }

  /** Pending versions still missing this chunk: a lookup in each one's sorted list, no per-chunk map. */
  #needing (hash: Uint8Array): Pending[] {
    const out: Pending[] = []
    for (const p of this.#pending.values()) {
      if (p.loaded == null) continue
      const i = p.loaded.rec.entry.chunks.indexOf(hash)
      if (i >= 0 && p.loaded.need[i] === NEEDED) out.push(p)
    }
    return out
  }

  /** A record was committed for this path: an older pending version of it is abandoned. */
  replaced (path: string, bySeq: number): void {
    const old = this.#byPath.get(path)
    if (old == null || old === bySeq) return
    const p = this.#pending.get(old)
    if (p != null) this.#drop(p, 'replaced by a newer version')
  }

  /** A committed record the hub does not hold: track it until it does. */
  add (rec: JournalRecord, charge?: ProposalCharge): void {
    const need = this.#need(rec.entry.chunks)
    if (charge != null) charge.kept = true
    const p: Pending = { seq: rec.seq, path: rec.entry.path, origin: rec.origin, loaded: { rec, need }, charge, state: 'waiting', recheck: false, abort: new AbortController(), timer: setTimeout(() => { this.#start(p, 'delay') }, COPY_DELAY_MS).unref() }
    this.#pending.set(rec.seq, p)
    this.#byPath.set(rec.entry.path, rec.seq)
    // a proposer that left while its proposal was decided has nothing left to charge
    if (!this.#deps.book.isOnline(p.origin)) this.#release(p)
    if (!need.includes(NEEDED)) { void this.#finish(p); return }
    this.consider(rec.seq)
    this.#unload(p)
  }

  /** The record again, from the journal, when the copy starts. */
  #load (p: Pending): Loaded {
    if (p.loaded != null) return p.loaded
    const rec = this.#deps.journal.bySeq(p.seq)
    if (rec == null) throw new NoSourceError(`seq ${p.seq} is not in the journal`)
    p.loaded = { rec, need: this.#need(rec.entry.chunks) }
    return p.loaded
  }

  /** Not paid for by a budget and not being fetched: only its seq stays in memory. */
  #unload (p: Pending): void {
    if (p.charge != null || p.state === 'fetching' || p.loaded == null) return
    this.#wakeWaiting(p)
    p.loaded = undefined
  }

  /** Holders or members changed: start the copies that may start now, retry the stuck ones. */
  consider (seq?: number): void {
    const list = seq == null ? [...this.#pending.values()] : [this.#pending.get(seq)].filter(p => p != null)
    for (const p of list) {
      const holders = this.#deps.book.holders(p.seq)
      if (p.state === 'fetching') {
        for (const peer of holders) p.fetch?.addSource(this.#source(peer, 0))
        p.recheck = true
        continue
      }
      if (p.state === 'stuck') { this.#start(p, 'holders changed'); continue }
      const receiverHolds = holders.some(h => h !== p.origin)
      const othersOnline = this.#deps.book.members().some(m => !holders.includes(m.peer))
      if (receiverHolds || !othersOnline) this.#start(p, receiverHolds ? 'a receiver holds it' : 'no receiver online')
    }
  }

  /** Serves the chunk store, waiting a while for chunks that are on their way. */
  async get (hash: Uint8Array): Promise<StoredBlock | null> {
    const stored = await this.#deps.chunks.get(hash)
    if (stored != null) return stored
    const needing = this.#needing(hash)
    if (needing.length === 0) return null
    let coming = false
    for (const p of needing) {
      if (p.state === 'waiting') this.#start(p, 'asked for')
      if (p.state === 'fetching') coming = true
    }
    const key = hex(hash)
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
    if (p.state === 'fetching' || this.#pending.get(p.seq) !== p) return
    clearTimeout(p.timer)
    p.state = 'fetching'
    p.recheck = false
    log.debug({ seq: p.seq, path: p.path, why }, 'taking the hub\'s copy')
    void this.#copy(p).catch(err => {
      if (this.#pending.get(p.seq) !== p) return
      p.state = 'stuck'
      // requests waiting for these chunks are answered "missing" now
      this.#wakeWaiting(p)
      this.#unload(p)
      if (p.recheck && !this.#deps.signal.aborted) { this.#start(p, 'members changed meanwhile'); return }
      p.timer = setTimeout(() => { if (p.state === 'stuck') this.#start(p, 'retry') }, STUCK_RETRY_MS).unref()
      if (!(err instanceof NoSourceError) && !this.#deps.signal.aborted) log.warn({ seq: p.seq, err: (err as Error).message }, 'copy failed; waiting for holders')
    })
  }

  /** The chunks to fetch, and where each is in the entry. */
  #toFetch ({ rec, need }: Loaded): { refs: ChunkList, at: Uint32Array } {
    const { chunks } = rec.entry
    let n = 0
    for (let i = 0; i < chunks.length; i++) if (need[i] === NEEDED) n++
    const refs = new ChunkListBuilder(n)
    const at = new Uint32Array(n)
    for (let i = 0, k = 0; i < chunks.length; i++) {
      if (need[i] !== NEEDED) continue
      refs.push(chunks.hash(i), chunks.size(i))
      at[k++] = i
    }
    return { refs: refs.finish(), at }
  }

  /** The copy's fetch, made once it has a slot: copies waiting for one hold no fetch state. */
  #fetchFor (p: Pending): { fetch: SpreadFetch, at: Uint32Array, need: Uint8Array } {
    // nobody to ask: no fetch state made (a proposer that left left many such copies at once)
    if (this.#deps.book.members().length === 0) throw new NoSourceError('no member online')
    const loaded = this.#load(p)
    // chunks that came meanwhile (with another version, say) are not fetched again
    loaded.need = this.#need(loaded.rec.entry.chunks)
    const { refs, at } = this.#toFetch(loaded)
    const holders = this.#deps.book.holders(p.seq)
    // the proposer first while it is there: the copy starts once a receiver holds the version, when
    // the proposer's upload is free and the receivers' pass the version along the chain
    // (peer-exchange.ts); taken from them too, it slowed the chain's last hops (design notes)
    const first = holders.includes(p.origin) ? [p.origin] : holders
    // members not listed as holders may have it all the same (after a hub restart nobody is listed)
    const others = this.#deps.book.members().map(m => m.peer).filter(m => !first.includes(m))
    const fetch = new SpreadFetch(refs, [...first.map(h => this.#source(h, 0)), ...others.map(m => this.#source(m, 1))], {
      lookaheadBytes: Number.MAX_SAFE_INTEGER,
      sourceWindowBytes: COPY_WINDOW_BYTES,
      onSourceFailed: (id, err) => { log.debug({ seq: p.seq, peer: id, err: err.message }, 'holder dropped for this copy') }
    })
    return { fetch, at, need: loaded.need }
  }

  async #copy (p: Pending): Promise<void> {
    const writing = new Set<Promise<void>>()
    const signal = AbortSignal.any([this.#deps.signal, p.abort.signal])
    // as many copies at once per proposer as fetches of its proposals (the proposer may serve nothing)
    await this.#deps.bounded(p.origin, signal, async (bounded, progress) => {
      const { fetch, at, need } = this.#fetchFor(p)
      p.fetch = fetch
      await fetch.run(bounded, async (i, block) => {
        progress()
        this.#deps.bytesIn(block.wire.data.byteLength)
        const w: Promise<void> = this.#deps.chunks.put(block.ref.hash, block.wire).then(() => {
          need[at[i]!] = LANDED
          this.#landed(hex(block.ref.hash))
        }).finally(() => writing.delete(w))
        writing.add(w)
        if (writing.size >= PARALLEL_CHUNK_WRITES) await Promise.race(writing)
      })
      await Promise.all(writing)
    }).finally(() => { p.fetch = undefined })
    await this.#finish(p)
  }

  async #finish (p: Pending): Promise<void> {
    // DESIGN.md, durability: chunk bytes durable before the journal says held
    await this.#deps.chunks.sync()
    if (this.#pending.get(p.seq) !== p) return
    const marked = this.#deps.journal.markHeld(p.seq)
    await this.#deps.journal.durable()
    this.#forget(p)
    const rec = p.loaded?.rec ?? this.#deps.journal.bySeq(p.seq)
    if (!marked || rec == null) return
    rec.held = true
    log.info({ seq: p.seq, path: p.path }, 'held')
    this.#deps.held(rec)
  }

  #landed (key: string): void {
    this.#arrivals.get(key)?.resolve()
    this.#arrivals.delete(key)
  }

  /** Requests waiting for chunks of this copy are answered now (with what the store has). */
  #wakeWaiting (p: Pending): void {
    if (this.#arrivals.size === 0 || p.loaded == null) return
    const { rec, need } = p.loaded
    for (const [key, arrival] of this.#arrivals) {
      const hash = Buffer.from(key, 'hex')
      const i = rec.entry.chunks.indexOf(hash)
      if (i < 0 || need[i] !== NEEDED || this.#needing(hash).some(o => o !== p && o.state === 'fetching')) continue
      arrival.resolve()
      this.#arrivals.delete(key)
    }
  }

  #release (p: Pending): void {
    p.charge?.release()
    p.charge = undefined
  }

  #drop (p: Pending, why: string): void {
    log.debug({ seq: p.seq, path: p.path, why }, 'hub copy abandoned')
    p.abort.abort()
    this.#forget(p)
  }

  #forget (p: Pending): void {
    clearTimeout(p.timer)
    this.#pending.delete(p.seq)
    if (this.#byPath.get(p.path) === p.seq) this.#byPath.delete(p.path)
    this.#release(p)
    this.#wakeWaiting(p)
  }
}
