// A file's chunk list, packed: for each chunk its 32-byte SHA-256 then its size as u32 LE, 36
// bytes a chunk. It is the form the list has in the index, in the journal and on the wire, and
// the one form every process keeps. As objects (an object and a typed array view per chunk, plus
// a string key per chunk in each map that looked chunks up) a chunk cost ~300 bytes of heap on
// each process: a 4 GiB file's 65k chunks took the hub and the sending client past 175 MB.
import { HASH_BYTES } from '../protocol/constants.ts'

export const CHUNK_REF_BYTES = HASH_BYTES + 4

/** One chunk of a file, on its own (a view into its list, or made for a test). */
export interface ChunkRef {
  /** SHA-256 of the chunk's bytes */
  hash: Uint8Array
  size: number
}

export class ChunkList implements Iterable<ChunkRef> {
  static readonly EMPTY = new ChunkList(new Uint8Array(0))
  /** 36 bytes per chunk; never changed once the list is made */
  readonly bytes: Buffer
  /** chunk indexes in hash order, for lookups; made on first use */
  #byHash: Uint32Array | undefined

  /** `bytes` must be a whole number of chunk refs (the codec checks what comes from the network). */
  constructor (bytes: Uint8Array) {
    if (bytes.byteLength % CHUNK_REF_BYTES !== 0) throw new RangeError(`a chunk list of ${bytes.byteLength} bytes is not a whole number of ${CHUNK_REF_BYTES}-byte refs`)
    this.bytes = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  static of (refs: Iterable<ChunkRef>): ChunkList {
    const b = new ChunkListBuilder()
    for (const r of refs) b.push(r.hash, r.size)
    return b.finish()
  }

  get length (): number { return this.bytes.byteLength / CHUNK_REF_BYTES }

  /** A view of chunk i's hash (into this list: copy it to keep it apart). */
  hash (i: number): Buffer {
    const at = i * CHUNK_REF_BYTES
    return this.bytes.subarray(at, at + HASH_BYTES)
  }

  size (i: number): number {
    return this.bytes.readUInt32LE(i * CHUNK_REF_BYTES + HASH_BYTES)
  }

  ref (i: number): ChunkRef {
    return { hash: this.hash(i), size: this.size(i) }
  }

  /** Where each chunk starts in the file. */
  offsets (): Float64Array {
    const out = new Float64Array(this.length)
    let off = 0
    for (let i = 0; i < out.length; i++) {
      out[i] = off
      off += this.size(i)
    }
    return out
  }

  /** The index of a chunk with this hash (the first in the file), or -1. */
  indexOf (hash: Uint8Array): number {
    if (hash.byteLength !== HASH_BYTES) return -1
    const order = this.#order()
    let lo = 0
    let hi = order.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.#compareTo(order[mid]!, hash) < 0) lo = mid + 1
      else hi = mid
    }
    return lo < order.length && this.#compareTo(order[lo]!, hash) === 0 ? order[lo]! : -1
  }

  /**
   * For each chunk, the index of the first chunk with its hash: i itself the first time a hash
   * comes, an earlier index for a repeat (a file of zeros is one chunk many times over).
   */
  firstIndexes (): Uint32Array {
    const order = this.#order()
    const first = new Uint32Array(order.length)
    for (let k = 0; k < order.length; k++) {
      const i = order[k]!
      // equal hashes sit together in index order, so the group's first is its lowest index
      first[i] = k > 0 && this.#compare(order[k - 1]!, i) === 0 ? first[order[k - 1]!]! : i
    }
    return first
  }

  * [Symbol.iterator] (): Iterator<ChunkRef> {
    for (let i = 0; i < this.length; i++) yield this.ref(i)
  }

  /** Chunk indexes sorted by hash, equal hashes by index. */
  #order (): Uint32Array {
    if (this.#byHash == null) {
      const order = new Uint32Array(this.length)
      for (let i = 0; i < order.length; i++) order[i] = i
      order.sort((a, b) => this.#compare(a, b) || a - b)
      this.#byHash = order
    }
    return this.#byHash
  }

  #compare (a: number, b: number): number {
    const at = a * CHUNK_REF_BYTES
    const bt = b * CHUNK_REF_BYTES
    return this.bytes.compare(this.bytes, bt, bt + HASH_BYTES, at, at + HASH_BYTES)
  }

  #compareTo (i: number, hash: Uint8Array): number {
    const at = i * CHUNK_REF_BYTES
    return this.bytes.compare(hash, 0, HASH_BYTES, at, at + HASH_BYTES)
  }
}

/** Builds a list one chunk at a time (a file as it is read), growing by doubling. */
export class ChunkListBuilder {
  #buf: Buffer
  #used = 0

  constructor (expected = 16) {
    this.#buf = Buffer.allocUnsafe(Math.max(1, expected) * CHUNK_REF_BYTES)
  }

  get length (): number { return this.#used / CHUNK_REF_BYTES }

  push (hash: Uint8Array, size: number): void {
    if (hash.byteLength !== HASH_BYTES) throw new RangeError(`a chunk hash is ${HASH_BYTES} bytes, not ${hash.byteLength}`)
    if (this.#used === this.#buf.byteLength) {
      const bigger = Buffer.allocUnsafe(this.#buf.byteLength * 2)
      this.#buf.copy(bigger, 0, 0, this.#used)
      this.#buf = bigger
    }
    this.#buf.set(hash, this.#used)
    this.#buf.writeUInt32LE(size, this.#used + HASH_BYTES)
    this.#used += CHUNK_REF_BYTES
  }

  /** The list, in a buffer of its own exact size. */
  finish (): ChunkList {
    const out = new Uint8Array(this.#used)
    out.set(this.#buf.subarray(0, this.#used))
    return new ChunkList(out)
  }
}
