// A loop whose input is already buffered runs in microtasks and never lets the event loop turn:
// 50k small proposals read from one member's buffer held the hub for seconds, and other members'
// pings timed out. The loop calls `pass()` each round; past a slice of time it yields.

/** Longest a loop over one peer's buffered input keeps the event loop. */
export const TURN_SLICE_MS = 5

export class TurnSlicer {
  readonly #sliceMs: number
  #since = performance.now()

  constructor (sliceMs = TURN_SLICE_MS) {
    this.#sliceMs = sliceMs
  }

  /** Resolves at once within the slice; past it, after the event loop has turned once. */
  async pass (): Promise<void> {
    if (performance.now() - this.#since < this.#sliceMs) return
    await new Promise(resolve => setImmediate(resolve))
    this.#since = performance.now()
  }
}
