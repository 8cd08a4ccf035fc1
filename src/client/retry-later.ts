// Remote changes that could not be applied yet (a file where a directory must go, a directory
// still holding what the hub has not deleted yet), tried again with backoff instead of left
// behind. Bounded in count and in attempts; what runs out is parked and tried again at the next
// rescan, so nothing is dropped for good while the client runs. A local change at a path related
// to a waiting change wakes it at once (`wake`): what held it back may be gone.
import { HeldPaths } from './held-paths.ts'

/** First wait, doubling per attempt up to MAX_WAIT_MS: the entry that clears the way is usually
 * applied within a few hundred ms. */
const FIRST_WAIT_MS = 250
const MAX_WAIT_MS = 30_000
/** ~2 minutes of tries in all (0.25 + 0.5 + ... + 30 + 30 s). */
export const MAX_ATTEMPTS = 10
/** Waiting changes held at most: each is one path's entry (its chunk list included). */
export const MAX_WAITING = 10_000

export function retryWaitMs (attempt: number): number {
  return Math.min(FIRST_WAIT_MS * 2 ** attempt, MAX_WAIT_MS)
}

interface Waiting<T> { item: T, path: string, attempt: number, timer: NodeJS.Timeout | undefined }

export class RetryLater<T> {
  /** key (one per change: path and seq) -> its waiting item */
  readonly #waiting = new Map<string, Waiting<T>>()
  readonly #held = new HeldPaths()
  readonly #run: (item: T, attempt: number) => void
  readonly #pathOf: (item: T) => string

  /** `run` is called when an item is due, with the attempt it is (1 for the first retry). */
  constructor (run: (item: T, attempt: number) => void, pathOf: (item: T) => string) {
    this.#run = run
    this.#pathOf = pathOf
  }

  get size (): number { return this.#waiting.size }

  /**
   * Schedules `item` for attempt `attempt` (1 = first retry). Returns false when it is not
   * scheduled: too many attempts (it is parked until `retryParked`) or too many waiting.
   */
  later (key: string, item: T, attempt: number): boolean {
    const old = this.#waiting.get(key)
    if (old != null) this.#take(key, old)
    else if (this.#waiting.size >= MAX_WAITING) return false
    const path = this.#pathOf(item)
    this.#held.add(path, key)
    if (attempt > MAX_ATTEMPTS) {
      this.#waiting.set(key, { item, path, attempt, timer: undefined })
      return false
    }
    const timer = setTimeout(() => {
      const w = this.#waiting.get(key)
      if (w?.timer !== timer) return
      this.#take(key, w)
      this.#run(item, attempt)
    }, retryWaitMs(attempt - 1))
    timer.unref()
    this.#waiting.set(key, { item, path, attempt, timer })
    return true
  }

  /**
   * `path` changed here: the items held at it, at a parent or below it run now. This try does
   * not count as an attempt (a run of local events cannot use up an item's attempts).
   */
  wake (path: string): void {
    if (this.#waiting.size === 0) return
    for (const key of this.#held.related(path)) {
      const w = this.#waiting.get(key)
      if (w == null) continue
      this.#take(key, w)
      this.#run(w.item, w.attempt - 1)
    }
  }

  #take (key: string, w: Waiting<T>): void {
    clearTimeout(w.timer)
    this.#waiting.delete(key)
    this.#held.delete(w.path, key)
  }

  /** Tries the parked items once more (each gets one more attempt; a rescan calls this). */
  retryParked (): void {
    for (const [key, w] of this.#waiting) {
      if (w.timer != null) continue
      this.#take(key, w)
      this.#run(w.item, w.attempt)
    }
  }

  clear (): void {
    for (const w of this.#waiting.values()) clearTimeout(w.timer)
    this.#waiting.clear()
    this.#held.clear()
  }
}
