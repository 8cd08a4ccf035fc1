// How an Entry is stored in a SQLite row; shared by the hub's journal and the client's index.
import type { ChunkRef, Entry, EntryKind } from './entry.ts'

const REF_BYTES = 36

export const ENTRY_COLUMNS = 'path TEXT NOT NULL PRIMARY KEY, kind TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, exec INTEGER NOT NULL, deleted INTEGER NOT NULL, hash BLOB NOT NULL, target TEXT NOT NULL, chunks BLOB NOT NULL'
export const ENTRY_FIELDS = 'path, kind, size, mtime_ns, exec, deleted, hash, target, chunks'
export const ENTRY_PARAMS = ':path, :kind, :size, :mtime_ns, :exec, :deleted, :hash, :target, :chunks'

export type EntryParams = Record<string, string | bigint | number | Uint8Array>

/** Chunk lists are packed (32-byte hash + u32 size each): 16k chunks is one 576 KiB blob, not 16k rows. */
export function packChunks (chunks: ChunkRef[]): Uint8Array {
  const out = Buffer.allocUnsafe(chunks.length * REF_BYTES)
  chunks.forEach((c, i) => {
    out.set(c.hash, i * REF_BYTES)
    out.writeUInt32LE(c.size, i * REF_BYTES + 32)
  })
  return out
}

export function unpackChunks (buf: Uint8Array): ChunkRef[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)
  const out: ChunkRef[] = []
  for (let off = 0; off + REF_BYTES <= b.length; off += REF_BYTES) {
    out.push({ hash: b.subarray(off, off + 32), size: b.readUInt32LE(off + 32) })
  }
  return out
}

export function entryParams (e: Entry): EntryParams {
  return {
    path: e.path,
    kind: e.kind,
    size: e.size,
    mtime_ns: e.mtimeNs,
    exec: e.exec ? 1 : 0,
    deleted: e.deleted ? 1 : 0,
    hash: e.hash,
    target: e.target,
    chunks: packChunks(e.chunks)
  }
}

/** Rows are read with setReadBigInts(true): mtimes in ns do not fit a double. */
export function entryFromRow (row: Record<string, unknown>): Entry {
  return {
    path: row.path as string,
    kind: row.kind as EntryKind,
    size: Number(row.size as bigint),
    mtimeNs: row.mtime_ns as bigint,
    exec: (row.exec as bigint) !== 0n,
    deleted: (row.deleted as bigint) !== 0n,
    hash: row.hash as Uint8Array,
    target: row.target as string,
    chunks: unpackChunks(row.chunks as Uint8Array)
  }
}
