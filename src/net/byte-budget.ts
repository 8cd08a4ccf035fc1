// A count of bytes that callers take before they hold memory and give back once it is gone:
// waiters are served in order, so one large request is not starved by small ones.

interface Waiter { bytes: number, resolve: () => void, reject: (err: Error) => void }

export class ByteBudget {
  readonly capacity: number
  #available: number
  readonly #waiters: Waiter[] = []

  constructor (capacity: number) {
    this.capacity = capacity
    this.#available = capacity
  }

  get available (): number { return this.#available }

  /** Takes `bytes` (at most the capacity), waiting until they are free. */
  async take (bytes: number, signal?: AbortSignal): Promise<number> {
    const n = Math.min(bytes, this.capacity)
    signal?.throwIfAborted()
    if (this.#waiters.length === 0 && this.#available >= n) {
      this.#available -= n
      return n
    }
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { bytes: n, resolve, reject }
      this.#waiters.push(waiter)
      signal?.addEventListener('abort', () => {
        const i = this.#waiters.indexOf(waiter)
        if (i < 0) return
        this.#waiters.splice(i, 1)
        reject(signal.reason as Error)
        this.#serve()
      }, { once: true })
    })
    return n
  }

  /** Gives back what `take` returned (or part of it). */
  give (bytes: number): void {
    this.#available = Math.min(this.capacity, this.#available + bytes)
    this.#serve()
  }

  #serve (): void {
    while (this.#waiters.length > 0 && this.#available >= this.#waiters[0]!.bytes) {
      const w = this.#waiters.shift()!
      this.#available -= w.bytes
      w.resolve()
    }
  }
}

/** One budget per remote peer, kept while any of its users hold it. */
export class PeerBudgets {
  readonly #capacity: number
  readonly #budgets = new Map<string, { budget: ByteBudget, users: number }>()

  constructor (capacity: number) {
    this.#capacity = capacity
  }

  /** The peer's budget; call `done` when this user ends. */
  use (peer: string): { budget: ByteBudget, done: () => void } {
    let entry = this.#budgets.get(peer)
    if (entry == null) this.#budgets.set(peer, entry = { budget: new ByteBudget(this.#capacity), users: 0 })
    entry.users++
    const e = entry
    let ended = false
    return {
      budget: e.budget,
      done: () => {
        if (ended) return
        ended = true
        if (--e.users === 0 && this.#budgets.get(peer) === e) this.#budgets.delete(peer)
      }
    }
  }
}
