// Reads a file once, cutting it into content-defined chunks and hashing each; reads chunks back.
import { open, type FileHandle } from 'node:fs/promises'
import { nextCut, type ChunkerOptions } from '../chunk/fastcdc.ts'
import { fileHash, sha256 } from '../chunk/hash.ts'
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
  const fh = await open(path, 'r')
  try {
    const chunks: LocatedChunk[] = []
    const keep = size <= KEEP_DATA_MAX
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
        const { bytesRead } = await fh.read(buf, end, buf.length - end, null)
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
      const data = buf.subarray(start, start + len)
      chunks.push({ hash: sha256(data), size: len, offset, ...(keep ? { data: Buffer.from(data) } : {}) })
      offset += len
      start += len
    }
    buf = Buffer.alloc(0)
    return { hash: fileHash(chunks.map(c => c.hash)), size: offset, chunks }
  } finally {
    await fh.close()
  }
}

/** Reads one chunk back from a file; null if the file no longer holds those bytes. */
export async function readChunkAt (path: string, offset: number, size: number, hash: Uint8Array): Promise<Uint8Array | null> {
  let fh
  try {
    fh = await open(path, 'r')
    return await readVerified(fh, offset, size, hash)
  } catch {
    return null
  } finally {
    await fh?.close()
  }
}

async function readVerified (fh: FileHandle, offset: number, size: number, hash: Uint8Array): Promise<Uint8Array | null> {
  const data = Buffer.allocUnsafe(size)
  const { bytesRead } = await fh.read(data, 0, size, offset)
  if (bytesRead !== size) return null
  return Buffer.compare(sha256(data), hash) === 0 ? data : null
}

const MAX_OPEN = 32

/**
 * readChunkAt for one reader reading many chunks in turn (rebuilding a large file from its old
 * version): each file stays open until close(), instead of an open and a close per chunk.
 */
export class ChunkReader {
  readonly #open = new Map<string, FileHandle>()

  async read (path: string, offset: number, size: number, hash: Uint8Array): Promise<Uint8Array | null> {
    try {
      let fh = this.#open.get(path)
      if (fh == null) {
        if (this.#open.size >= MAX_OPEN) await this.close()
        fh = await open(path, 'r')
        this.#open.set(path, fh)
      }
      return await readVerified(fh, offset, size, hash)
    } catch {
      return null
    }
  }

  async close (): Promise<void> {
    const handles = [...this.#open.values()]
    this.#open.clear()
    await Promise.all(handles.map(async fh => { await fh.close() }))
  }
}
