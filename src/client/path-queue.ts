// Work on one path runs in order; work on different paths runs concurrently, up to a limit.
// Work that waits is kept as a plain closure until it starts: a tree moved in (thousands of paths
// at once) otherwise held two suspended async calls and a dozen promises per waiting path, the
// sending client's peak memory.

type Task = () => Promise<void>

export class PathQueue {
  /** tasks not started yet, per path, oldest first */
  readonly #waiting = new Map<string, Task[]>()
  /** paths with a task waiting and none running, oldest first, each once; read from #head */
  #ready: string[] = []
  #head = 0
  readonly #running = new Set<string>()
  readonly #limit: number
  readonly #onError: (path: string, err: unknown) => void
  /** producers waiting for the backlog to shrink (see below()) */
  #belowWaiters: Array<{ n: number, resolve: () => void }> = []

  constructor (limit: number, onError: (path: string, err: unknown) => void) {
    this.#limit = limit
    this.#onError = onError
  }

  /** Paths with work not started yet. */
  get waiting (): number { return this.#waiting.size }

  push (path: string, task: Task): void {
    let tasks = this.#waiting.get(path)
    if (tasks == null) {
      this.#waiting.set(path, tasks = [])
      // a running path is made ready again when its task ends
      if (!this.#running.has(path)) this.#ready.push(path)
    }
    tasks.push(task)
    this.#start()
  }

  /** Resolves once fewer than `n` paths wait: a producer of many paths (a walk over a tree moved
   * in) waits here rather than hold a closure per path of the whole tree. */
  async below (n: number): Promise<void> {
    if (this.#waiting.size < n) return
    await new Promise<void>(resolve => { this.#belowWaiters.push({ n, resolve }) })
  }

  #wakeProducers (): void {
    if (this.#belowWaiters.length === 0) return
    const size = this.#waiting.size
    this.#belowWaiters = this.#belowWaiters.filter(w => {
      if (size >= w.n) return true
      w.resolve()
      return false
    })
  }

  #start (): void {
    while (this.#running.size < this.#limit && this.#head < this.#ready.length) {
      const path = this.#ready[this.#head++]!
      const tasks = this.#waiting.get(path)!
      const task = tasks.shift()!
      if (tasks.length === 0) this.#waiting.delete(path)
      this.#running.add(path)
      void this.#run(path, task)
    }
    // drop the started prefix once it is most of the array (a queue that never drains stays bounded)
    if (this.#head > 0 && this.#head * 2 >= this.#ready.length) {
      this.#ready = this.#ready.slice(this.#head)
      this.#head = 0
    }
  }

  async #run (path: string, task: Task): Promise<void> {
    try {
      await task()
    } catch (err) {
      this.#onError(path, err)
    } finally {
      this.#running.delete(path)
      if (this.#waiting.has(path)) this.#ready.push(path)
      this.#start()
      this.#wakeProducers()
    }
  }
}
