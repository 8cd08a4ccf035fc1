// A journal record's Changed frame is the same bytes for every session that sends it (the
// origin is skipped, never rewritten per client), so it is encoded once, not once per client:
// one change to fifty clients read its chunks from the store and encoded the same message fifty times.

export interface ChangedFrame { bytes: Uint8Array, blockBytes: number }

/** Frames of the latest records, up to a byte budget; sessions at the head find theirs here. */
export class ChangedFrames {
  readonly #frames = new Map<number, Promise<ChangedFrame>>()
  readonly #sizes = new Map<number, number>()
  readonly #budget: number
  #bytes = 0

  constructor (budgetBytes: number) {
    this.#budget = budgetBytes
  }

  async get (seq: number, make: () => Promise<ChangedFrame>): Promise<ChangedFrame> {
    const cached = this.#frames.get(seq)
    if (cached != null) return await cached
    const made = make()
    this.#frames.set(seq, made)
    try {
      const frame = await made
      if (this.#frames.get(seq) === made) this.#account(seq, frame.bytes.byteLength)
      return frame
    } catch (err) {
      if (this.#frames.get(seq) === made) this.#frames.delete(seq)
      throw err
    }
  }

  /** The record's frame changed (its holders did): the next get() makes it again. */
  forget (seq: number): void {
    this.#frames.delete(seq)
    const size = this.#sizes.get(seq)
    if (size == null) return
    this.#sizes.delete(seq)
    this.#bytes -= size
  }

  #account (seq: number, size: number): void {
    this.#sizes.set(seq, size)
    this.#bytes += size
    // oldest first (a Map keeps insertion order); a frame still being made has no size yet
    for (const [old, oldSize] of this.#sizes) {
      if (this.#bytes <= this.#budget) break
      this.#sizes.delete(old)
      this.#frames.delete(old)
      this.#bytes -= oldSize
    }
  }
}
