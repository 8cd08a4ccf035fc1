// Which chunk to ask of which holder (DESIGN.md flow 3). Pure: the fetcher (net/multi-fetch.ts)
// reports what happened and asks what to request next. Chunks go in batches to the least busy
// source that may have them; a "missing" answer sends that chunk elsewhere; a source that failed
// (unreachable, wrong bytes) is dropped for this file and what it had in flight goes back.

/** tier 0: a holder (a member holding the version, or the hub once it holds it); tier 1: asked
 * only for chunks no live tier-0 source may still give (the hub while it is still receiving). */
export interface ScheduleSource { id: string, tier: 0 | 1 }

export interface ScheduleLimits {
  /** bytes asked of one source in one request */
  batchBytes: number
  /** bytes one source may have requested and not yet answered */
  sourceWindowBytes: number
  /** requests reach at most this far past the first chunk not yet received (the reorder buffer) */
  lookaheadBytes: number
}

export interface Assignment { source: string, chunks: number[] }

export type ScheduleState = 'working' | 'done' | 'stuck'

const PENDING = 0
const IN_FLIGHT = 1
const RECEIVED = 2

interface SourceState { src: ScheduleSource, order: number, inFlightBytes: number, alive: boolean, batches: Set<number[]> }

export class ChunkSchedule {
  readonly #sizes: ArrayLike<number>
  readonly #offsets: Float64Array
  readonly #limits: ScheduleLimits
  readonly #state: Uint8Array
  readonly #sources = new Map<string, SourceState>()
  /** chunk -> sources that answered "missing" for it */
  readonly #refused = new Map<number, Set<string>>()
  #firstPending = 0
  #firstNotReceived = 0
  #received = 0
  #inFlight = 0

  constructor (sizes: ArrayLike<number>, sources: ScheduleSource[], limits: ScheduleLimits) {
    this.#sizes = sizes
    this.#limits = limits
    this.#state = new Uint8Array(sizes.length)
    this.#offsets = new Float64Array(sizes.length + 1)
    for (let i = 0; i < sizes.length; i++) this.#offsets[i + 1] = this.#offsets[i]! + sizes[i]!
    for (const s of sources) this.addSource(s)
  }

  /** A holder that appeared while fetching; a known one keeps its state (a dropped one stays dropped). */
  addSource (src: ScheduleSource): void {
    const known = this.#sources.get(src.id)
    if (known != null) {
      if (src.tier < known.src.tier) known.src = src
      return
    }
    this.#sources.set(src.id, { src, order: this.#sources.size, inFlightBytes: 0, alive: true, batches: new Set() })
  }

  get state (): ScheduleState {
    if (this.#received === this.#sizes.length) return 'done'
    if (this.#inFlight > 0) return 'working'
    // nothing in flight: the first chunk not received is pending and within the lookahead, so it
    // is asked next unless no live source may give it (then the file cannot be finished)
    const first = this.#firstNotReceived
    for (const s of this.#sources.values()) if (s.alive && this.#mayAsk(s, first)) return 'working'
    return 'stuck'
  }

  /** The next request to make, or null when none can be made now (wait for answers, or stuck). */
  next (): Assignment | null {
    const candidates = [...this.#sources.values()]
      .filter(s => s.alive && s.inFlightBytes < this.#limits.sourceWindowBytes)
      .sort((a, b) => a.src.tier - b.src.tier || a.inFlightBytes - b.inFlightBytes || a.order - b.order)
    for (const s of candidates) {
      const chunks = this.#batchFor(s)
      if (chunks.length === 0) continue
      for (const i of chunks) {
        this.#state[i] = IN_FLIGHT
        s.inFlightBytes += this.#sizes[i]!
      }
      this.#inFlight += chunks.length
      // the schedule's own copy: it shrinks as answers come, the caller's stays whole
      s.batches.add([...chunks])
      return { source: s.src.id, chunks }
    }
    return null
  }

  received (source: string, chunk: number): void {
    const s = this.#sources.get(source)
    if (this.#state[chunk] !== IN_FLIGHT || s == null || !this.#holds(s, chunk)) return
    this.#settle(s, chunk)
    this.#state[chunk] = RECEIVED
    this.#received++
    while (this.#firstNotReceived < this.#state.length && this.#state[this.#firstNotReceived] === RECEIVED) this.#firstNotReceived++
  }

  /** The source answered that it does not have this chunk: another one is asked. */
  missing (source: string, chunk: number): void {
    const s = this.#sources.get(source)
    if (this.#state[chunk] !== IN_FLIGHT || s == null || !this.#holds(s, chunk)) return
    this.#settle(s, chunk)
    let refused = this.#refused.get(chunk)
    if (refused == null) this.#refused.set(chunk, refused = new Set())
    refused.add(source)
    this.#requeue(chunk)
  }

  /** The request broke off (a stream reset, say) before this chunk came: it is asked again, of anyone. */
  giveBack (source: string, chunk: number): void {
    const s = this.#sources.get(source)
    if (this.#state[chunk] !== IN_FLIGHT || s == null || !this.#holds(s, chunk)) return
    this.#settle(s, chunk)
    this.#requeue(chunk)
  }

  /** The source is unusable for this file (unreachable, broke a stream, sent wrong bytes). */
  failed (source: string): void {
    const s = this.#sources.get(source)
    if (s == null || !s.alive) return
    s.alive = false
    for (const batch of s.batches) {
      for (const i of batch) {
        if (this.#state[i] !== IN_FLIGHT) continue
        this.#inFlight--
        this.#requeue(i)
      }
    }
    s.batches.clear()
    s.inFlightBytes = 0
  }

  #holds (s: SourceState, chunk: number): boolean {
    for (const b of s.batches) if (b.includes(chunk)) return true
    return false
  }

  #settle (s: SourceState, chunk: number): void {
    s.inFlightBytes -= this.#sizes[chunk]!
    this.#inFlight--
    for (const b of s.batches) {
      const at = b.indexOf(chunk)
      if (at < 0) continue
      b.splice(at, 1)
      if (b.length === 0) s.batches.delete(b)
      break
    }
  }

  #requeue (chunk: number): void {
    this.#state[chunk] = PENDING
    if (chunk < this.#firstPending) this.#firstPending = chunk
  }

  /** Whether `s` may be asked for `chunk`: it has not refused it, and a fallback only when no holder may still give it. */
  #mayAsk (s: SourceState, chunk: number): boolean {
    const refused = this.#refused.get(chunk)
    if (refused?.has(s.src.id) === true) return false
    if (s.src.tier === 0) return true
    for (const o of this.#sources.values()) {
      if (o.alive && o.src.tier === 0 && refused?.has(o.src.id) !== true) return false
    }
    return true
  }

  #batchFor (s: SourceState): number[] {
    while (this.#firstPending < this.#state.length && this.#state[this.#firstPending] !== PENDING) this.#firstPending++
    const horizon = this.#offsets[this.#firstNotReceived]! + this.#limits.lookaheadBytes
    const room = Math.min(this.#limits.batchBytes, this.#limits.sourceWindowBytes - s.inFlightBytes)
    const out: number[] = []
    let bytes = 0
    for (let i = this.#firstPending; i < this.#state.length; i++) {
      if (this.#offsets[i]! >= horizon) break
      if (this.#state[i] !== PENDING || !this.#mayAsk(s, i)) continue
      // a first chunk bigger than the room still goes: the window only has to be bounded
      if (out.length > 0 && bytes + this.#sizes[i]! > room) break
      out.push(i)
      bytes += this.#sizes[i]!
    }
    return out
  }
}
