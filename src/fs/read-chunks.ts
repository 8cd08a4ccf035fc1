// Reads a file once, cutting it into content-defined chunks and hashing each; reads chunks back.
import { closeSync, read, readSync } from 'node:fs'
import { promisify } from 'node:util'
import { openInFolder } from './folder-boundary.ts'
import { nextCut, type ChunkerOptions } from '../chunk/fastcdc.ts'
import { fileHash, sha256 } from '../chunk/hash.ts'
import { CHUNK_AVG, CHUNK_MAX, CHUNK_MIN } from '../protocol/constants.ts'
import { ChunkListBuilder, type ChunkList } from '../chunk/chunk-list.ts'

export const CHUNKER: ChunkerOptions = { min: CHUNK_MIN, avg: CHUNK_AVG, max: CHUNK_MAX }
// Up to 16 files are read at once (CONCURRENCY in client-service.ts), each with its own
// buffer: ten 2 MiB files read whole in 4 MiB reads put the sender's peak RSS at 133-148 MB,
// 1 MiB reads at 121-127 MB, same speed.
const READ_SIZE = 1024 * 1024

/** Files up to this size keep their chunks' bytes from the one read. */
const KEEP_DATA_MAX = 1024 * 1024
const readAsync = promisify(read)
export interface FileContent {
  hash: Uint8Array
  size: number
  chunks: ChunkList
  /** each chunk's bytes, kept for small files so that serving them does not read the file again */
  data?: Uint8Array[]
}

/** The file is not the size its stat said: it is being written. Read it again once it settles. */
export class FileChangedError extends Error {
  override name = 'FileChangedError'
  readonly code = 'ERR_FILE_CHANGED'
}

/**
 * Reads a file of `size` bytes (from a stat just before). A file that turns out longer or shorter
 * is being written: reading stops there (FileChangedError) rather than reading, and perhaps
 * holding, whatever it has grown to.
 */
export async function readChunks (path: string, size: number, signal?: AbortSignal): Promise<FileContent> {
  // a small file in one synchronous read (an fs/promises call cost ~50 µs of CPU here, three
  // of them more than reading and hashing a few KiB); big ones on the threadpool
  const keep = size <= KEEP_DATA_MAX
  // never through a symlink (folder-boundary.ts); the open itself is synchronous either way
  const fd = openInFolder(path)
  const readInto = async (buf: Buffer, at: number): Promise<number> =>
    keep ? readSync(fd, buf, at, buf.length - at, null) : (await readAsync(fd, buf, at, buf.length - at, null)).bytesRead
  try {
    const chunks = new ChunkListBuilder(Math.ceil(size / CHUNK_AVG) + 1)
    const data: Uint8Array[] = []
    // buf holds [start, end) unconsumed bytes; it is refilled once fewer than max remain.
    // One byte more than the file: a read that fills it shows the file grew.
    let buf = Buffer.allocUnsafe(Math.min(READ_SIZE + CHUNK_MAX, size + 1))
    let total = 0
    let start = 0
    let end = 0
    let offset = 0
    let eof = false
    while (true) {
      if (!eof && end - start < CHUNK_MAX) {
        if (start > 0) {
          buf.copy(buf, 0, start, end)
          end -= start
          start = 0
        }
        const bytesRead = await readInto(buf, end)
        signal?.throwIfAborted()
        total += bytesRead
        if (total > size) throw new FileChangedError(`${path} grew while it was read`)
        if (bytesRead === 0) {
          if (total < size) throw new FileChangedError(`${path} shrank while it was read`)
          eof = true
        }
        end += bytesRead
        continue
      }
      if (start === end) break
      const len = nextCut(buf, start, end, CHUNKER, eof)
      const bytes = buf.subarray(start, start + len)
      chunks.push(sha256(bytes), len)
      if (keep) data.push(Buffer.from(bytes))
      offset += len
      start += len
    }
    buf = Buffer.alloc(0)
    const list = chunks.finish()
    return { hash: fileHash(list), size: offset, chunks: list, ...(keep ? { data } : {}) }
  } finally {
    closeSync(fd)
  }
}

/** Reads one chunk back from a file; null if the file no longer holds those bytes. Synchronous
 * inside: a chunk read from the page cache took 8 µs, its open, read and close on the pool ~150.
 * `hash` null: not verified here (the caller knows the file is as it was hashed, and the
 * receiver verifies every chunk anyway). */
export async function readChunkAt (path: string, offset: number, size: number, hash: Uint8Array | null): Promise<Uint8Array | null> {
  let fd
  try {
    fd = openInFolder(path)
    return readVerified(fd, offset, size, hash)
  } catch {
    return null
  } finally {
    if (fd != null) closeSync(fd)
  }
}

function readVerified (fd: number, offset: number, size: number, hash: Uint8Array | null, data: Uint8Array = Buffer.allocUnsafe(size)): Uint8Array | null {
  const bytesRead = readSync(fd, data, 0, size, offset)
  if (bytesRead !== size) return null
  return hash == null || Buffer.compare(sha256(data), hash) === 0 ? data : null
}

const MAX_OPEN = 32

/**
 * readChunkAt for one reader reading many chunks in turn (rebuilding a large file from its old
 * version): each file stays open until close(), instead of an open and a close per chunk.
 */
export class ChunkReader {
  readonly #open = new Map<string, number>()

  /** `into`, when given, is where the bytes go (exactly `size` long): a rebuild reads thousands of
   * chunks, and a buffer each piled up as garbage faster than the GC came (+30 MB peak RSS). */
  async read (path: string, offset: number, size: number, hash: Uint8Array, into?: Uint8Array): Promise<Uint8Array | null> {
    try {
      let fd = this.#open.get(path)
      if (fd == null) {
        if (this.#open.size >= MAX_OPEN) await this.close()
        fd = openInFolder(path)
        this.#open.set(path, fd)
      }
      return readVerified(fd, offset, size, hash, into)
    } catch {
      return null
    }
  }

  async close (): Promise<void> {
    for (const fd of this.#open.values()) closeSync(fd)
    this.#open.clear()
  }
}
