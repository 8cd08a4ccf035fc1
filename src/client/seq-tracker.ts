// The highest journal seq a client may report as applied: every relayed change at or below it is
// done. Changes are applied concurrently across paths, so a later seq can finish first.

export class SeqTracker {
  #inflight = new Set<number>()
  #maxReceived: number
  #done: number
  #lastReceived = -1
  /** seqs came in increasing order (the hub sends its journal in order): the first in flight is the lowest */
  #ordered = true

  constructor (applied: number) {
    this.#maxReceived = applied
    this.#done = applied
  }

  get applied (): number { return this.#done }

  received (seq: number): void {
    if (seq <= this.#lastReceived) this.#ordered = false
    this.#lastReceived = seq
    this.#inflight.add(seq)
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
    let low = this.#maxReceived
    // in order, the first one in flight is the lowest: walking them all on every finish was
    // quadratic in a backlog of 100,000 changes
    for (const s of this.#inflight) {
      if (s - 1 < low) low = s - 1
      if (this.#ordered) break
    }
    this.#done = Math.max(this.#done, low)
  }
}
