// Work on one path runs in order; work on different paths runs concurrently, up to a limit.

export class PathQueue {
  readonly #tails = new Map<string, Promise<void>>()
  readonly #limit: number
  #running = 0
  readonly #waiting: Array<() => void> = []
  readonly #onError: (path: string, err: unknown) => void

  constructor (limit: number, onError: (path: string, err: unknown) => void) {
    this.#limit = limit
    this.#onError = onError
  }

  get size (): number { return this.#tails.size }

  push (path: string, task: () => Promise<void>): Promise<void> {
    const prev = this.#tails.get(path) ?? Promise.resolve()
    const next = prev.then(async () => {
      await this.#acquire()
      try {
        await task()
      } catch (err) {
        this.#onError(path, err)
      } finally {
        this.#release()
      }
    })
    this.#tails.set(path, next)
    void next.then(() => { if (this.#tails.get(path) === next) this.#tails.delete(path) })
    return next
  }

  /** Resolves once nothing is queued or running (bounded by the caller's signal). */
  async idle (): Promise<void> {
    while (this.#tails.size > 0) await Promise.all([...this.#tails.values()])
  }

  async #acquire (): Promise<void> {
    if (this.#running < this.#limit) {
      this.#running++
      return
    }
    await new Promise<void>(resolve => this.#waiting.push(resolve))
  }

  #release (): void {
    const next = this.#waiting.shift()
    if (next != null) next()
    else this.#running--
  }
}
