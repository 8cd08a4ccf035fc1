// The highest journal seq a client may report as applied: every relayed change at or below it is
// done. Changes are applied concurrently across paths, so a later seq can finish first.

export class SeqTracker {
  #inflight = new Set<number>()
  /** every seq in #inflight, and some finished ones not dropped yet: a min-heap. The lowest
   * unfinished seq is its top once finished ones are popped (a scan of the whole set per finish
   * was a receiver's 12 s of CPU with 100,000 changes queued) */
  #heap: number[] = []
  #maxReceived: number
  #done: number

  constructor (applied: number) {
    this.#maxReceived = applied
    this.#done = applied
  }

  get applied (): number { return this.#done }

  received (seq: number): void {
    if (!this.#inflight.has(seq)) {
      this.#inflight.add(seq)
      push(this.#heap, seq)
    }
    if (seq > this.#maxReceived) this.#maxReceived = seq
  }

  /** The hub said everything up to seq has been sent (some of it was skipped as our own). */
  caughtUp (seq: number): void {
    if (seq > this.#maxReceived) this.#maxReceived = seq
    this.#advance()
  }

  finished (seq: number): void {
    this.#inflight.delete(seq)
    this.#advance()
  }

  #advance (): void {
    const heap = this.#heap
    while (heap.length > 0 && !this.#inflight.has(heap[0]!)) pop(heap)
    const low = heap.length > 0 ? Math.min(heap[0]! - 1, this.#maxReceived) : this.#maxReceived
    this.#done = Math.max(this.#done, low)
  }
}

function push (heap: number[], v: number): void {
  let i = heap.push(v) - 1
  while (i > 0) {
    const up = (i - 1) >> 1
    if (heap[up]! <= v) break
    heap[i] = heap[up]!
    i = up
  }
  heap[i] = v
}

function pop (heap: number[]): void {
  const last = heap.pop()!
  if (heap.length === 0) return
  let i = 0
  for (;;) {
    const l = 2 * i + 1
    if (l >= heap.length) break
    const r = l + 1
    const c = r < heap.length && heap[r]! < heap[l]! ? r : l
    if (heap[c]! >= last) break
    heap[i] = heap[c]!
    i = c
  }
  heap[i] = last
}
