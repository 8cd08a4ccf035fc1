// Reads a file once, cutting it into content-defined chunks and hashing it whole on the way.
import { open } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { nextCut, type ChunkerOptions } from '../chunk/fastcdc.ts'
import { sha256 } from '../chunk/hash.ts'
import { CHUNK_AVG, CHUNK_MAX, CHUNK_MIN } from '../protocol/constants.ts'
import type { ChunkRef } from '../index/entry.ts'

export const CHUNKER: ChunkerOptions = { min: CHUNK_MIN, avg: CHUNK_AVG, max: CHUNK_MAX }
const READ_SIZE = 4 * 1024 * 1024

export interface LocatedChunk extends ChunkRef {
  offset: number
  /** the bytes, kept for small files so that serving them does not read the file again */
  data?: Uint8Array
}

/** Files up to this size keep their chunks' bytes from the one read. */
const KEEP_DATA_MAX = 1024 * 1024
export interface FileContent { hash: Uint8Array, size: number, chunks: LocatedChunk[] }

/** `sizeHint` (from stat) sizes the buffer: a 1 KiB file needs no 4 MiB of memory. */
export async function readChunks (path: string, sizeHint: number, signal?: AbortSignal): Promise<FileContent> {
  const fh = await open(path, 'r')
  try {
    const whole = createHash('sha256')
    const chunks: LocatedChunk[] = []
    const keep = sizeHint <= KEEP_DATA_MAX
    // buf holds [start, end) unconsumed bytes; it is refilled once fewer than max remain
    let buf = Buffer.allocUnsafe(Math.min(READ_SIZE + CHUNK_MAX, sizeHint + 1))
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
        if (end === buf.length) {
          // the file outgrew its hint
          const bigger = Buffer.allocUnsafe(READ_SIZE + CHUNK_MAX)
          buf.copy(bigger, 0, 0, end)
          buf = bigger
        }
        const { bytesRead } = await fh.read(buf, end, buf.length - end, null)
        signal?.throwIfAborted()
        if (bytesRead === 0) eof = true
        end += bytesRead
        continue
      }
      if (start === end) break
      const len = nextCut(buf, start, end, CHUNKER, eof)
      const data = buf.subarray(start, start + len)
      whole.update(data)
      chunks.push({ hash: sha256(data), size: len, offset, ...(keep ? { data: Buffer.from(data) } : {}) })
      offset += len
      start += len
    }
    buf = Buffer.alloc(0)
    return { hash: whole.digest(), size: offset, chunks }
  } finally {
    await fh.close()
  }
}

/** Reads one chunk back from a file; null if the file no longer holds those bytes. */
export async function readChunkAt (path: string, offset: number, size: number, hash: Uint8Array): Promise<Uint8Array | null> {
  let fh
  try {
    fh = await open(path, 'r')
    const data = Buffer.allocUnsafe(size)
    const { bytesRead } = await fh.read(data, 0, size, offset)
    if (bytesRead !== size) return null
    return Buffer.compare(sha256(data), hash) === 0 ? data : null
  } catch {
    return null
  } finally {
    await fh?.close()
  }
}
