// Files this client is building from a remote change (in .distsync/tmp): their chunks are served
// to other members as soon as they arrive, so that receivers of one version pass it along to
// each other instead of all pulling it from its proposer (DESIGN.md flow 3, "peers still
// receiving the same version"). The last chunks that arrived (verified) are served from memory;
// older ones from the file once written, every read verified against the hash asked for, so a
// half-written chunk is never served. A request for a chunk not there yet waits a little for it,
// then is answered "missing" and the asker looks elsewhere.
import type { ChunkList } from '../chunk/chunk-list.ts'

/** How long a request waits for a chunk of a file in progress that is not written yet. A
 * receiver ahead of the asker writes it within this time; one that is not is not worth waiting for. */
export const IN_PROGRESS_WAIT_MS = 3000

/** Bytes of the chunks that arrived last kept per file being built, to serve the next receiver
 * in a chain without reading them back (and hashing them again) or waiting for their write. */
const RECENT_BYTES = 1024 * 1024

export interface ChunkPlace { path: string, offset: number, size: number }

/** `data`: the chunk itself, verified when it arrived (else read it at the place). `raw`: it came
 * uncompressed from a peer, which found it not worth compressing (the same compressBlock on the
 * same bytes): served as it is, without trying zstd on it again. */
export interface ChunkInProgress extends ChunkPlace { raw: boolean, data?: Uint8Array }

/** One file being built: `written(n)` says its first n chunks are in the file. */
export interface FileInProgress {
  written: (n: number) => void
  /** chunk i arrived from a peer, verified (`raw`: uncompressed) */
  arrived: (i: number, data: Uint8Array, raw: boolean) => void
  end: () => void
}

interface Build {
  /** relative to the folder's root */
  path: string
  chunks: ChunkList
  offsets: Float64Array | undefined
  written: number
  /** one byte a chunk, 1: arrived raw; made on the first such chunk */
  raw: Uint8Array | undefined
  /** the chunks that arrived last, by index, oldest first, at most about RECENT_BYTES */
  recent: Map<number, Uint8Array>
  recentBytes: number
  ended: boolean
  /** requests waiting for a chunk not there yet, woken at every arrival and flush */
  waiters: Set<() => void>
}

export class FilesInProgress {
  readonly #builds = new Set<Build>()

  start (path: string, chunks: ChunkList): FileInProgress {
    const b: Build = { path, chunks, offsets: undefined, written: 0, raw: undefined, recent: new Map(), recentBytes: 0, ended: false, waiters: new Set() }
    this.#builds.add(b)
    const wake = (): void => { for (const w of [...b.waiters]) w() }
    return {
      written: n => {
        b.written = Math.max(b.written, n)
        wake()
      },
      arrived: (i, data, raw) => {
        if (raw) {
          b.raw ??= new Uint8Array(chunks.length)
          b.raw[i] = 1
        }
        if (b.recent.has(i)) return
        b.recent.set(i, data)
        b.recentBytes += data.byteLength
        for (const [k, d] of b.recent) {
          if (b.recentBytes <= RECENT_BYTES) break
          b.recent.delete(k)
          b.recentBytes -= d.byteLength
        }
        wake()
      },
      end: () => {
        b.ended = true
        b.recent.clear()
        this.#builds.delete(b)
        wake()
      }
    }
  }

  /** Where a chunk with this hash is (or will be within the wait) in a file in progress; null if nowhere. */
  async find (hash: Uint8Array, signal?: AbortSignal): Promise<ChunkInProgress | null> {
    for (const b of this.#builds) {
      const i = b.chunks.indexOf(hash)
      if (i < 0) continue
      if (!there(b, i) && !await this.#until(b, i, signal)) continue
      b.offsets ??= b.chunks.offsets()
      const data = b.recent.get(i)
      return { path: b.path, offset: b.offsets[i]!, size: b.chunks.size(i), raw: b.raw?.[i] === 1, ...(data != null ? { data } : {}) }
    }
    return null
  }

  /** Whether chunk i arrives or is written within the wait (false if the build ended first). */
  async #until (b: Build, i: number, signal?: AbortSignal): Promise<boolean> {
    const deadline = Date.now() + IN_PROGRESS_WAIT_MS
    while (!there(b, i) && !b.ended && signal?.aborted !== true) {
      const left = deadline - Date.now()
      if (left <= 0) return false
      await new Promise<void>(resolve => {
        const done = (): void => {
          clearTimeout(timer)
          b.waiters.delete(done)
          resolve()
        }
        const timer = setTimeout(done, left)
        b.waiters.add(done)
      })
    }
    return there(b, i) && !b.ended
  }
}

/** Chunk i can be served: in memory, or written to the file. */
function there (b: Build, i: number): boolean {
  return i < b.written || b.recent.has(i)
}
