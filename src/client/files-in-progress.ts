// Files this client is building from a remote change (in .distsync/tmp): their chunks are served
// to other members as soon as they are written, so that receivers of one version pass it along to
// each other instead of all pulling it from its proposer (DESIGN.md flow 3, "peers still
// receiving the same version"). A request for a chunk not written yet waits a little for it, then
// is answered "missing" and the asker looks elsewhere. Every read is verified against the hash
// asked for, so a half-written chunk is never served.
import type { ChunkList } from '../chunk/chunk-list.ts'

/** How long a request waits for a chunk of a file in progress that is not written yet. A
 * receiver ahead of the asker writes it within this time; one that is not is not worth waiting for. */
export const IN_PROGRESS_WAIT_MS = 3000

export interface ChunkPlace { path: string, offset: number, size: number }

/** `raw`: the chunk came uncompressed from a peer, which found it not worth compressing (the same
 * compressBlock on the same bytes): served as it is, without trying zstd on it again. */
export interface ChunkInProgress extends ChunkPlace { raw: boolean }

/** One file being built: `written(n)` says its first n chunks are in the file. */
export interface FileInProgress {
  written: (n: number) => void
  /** chunk i came uncompressed */
  arrivedRaw: (i: number) => void
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
  ended: boolean
  /** requests waiting for a chunk past `written`, woken at every flush */
  waiters: Set<() => void>
}

export class FilesInProgress {
  readonly #builds = new Set<Build>()

  start (path: string, chunks: ChunkList): FileInProgress {
    const b: Build = { path, chunks, offsets: undefined, written: 0, raw: undefined, ended: false, waiters: new Set() }
    this.#builds.add(b)
    const wake = (): void => { for (const w of [...b.waiters]) w() }
    return {
      written: n => {
        b.written = Math.max(b.written, n)
        wake()
      },
      arrivedRaw: i => {
        b.raw ??= new Uint8Array(chunks.length)
        b.raw[i] = 1
      },
      end: () => {
        b.ended = true
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
      if (i >= b.written && !await this.#until(b, i, signal)) continue
      b.offsets ??= b.chunks.offsets()
      return { path: b.path, offset: b.offsets[i]!, size: b.chunks.size(i), raw: b.raw?.[i] === 1 }
    }
    return null
  }

  /** Whether chunk i is written within the wait (false if the build ended first). */
  async #until (b: Build, i: number, signal?: AbortSignal): Promise<boolean> {
    const deadline = Date.now() + IN_PROGRESS_WAIT_MS
    while (i >= b.written && !b.ended && signal?.aborted !== true) {
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
    return i < b.written && !b.ended
  }
}
