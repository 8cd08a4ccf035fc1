// How an Entry is stored in a SQLite row; shared by the hub's journal and the client's index.
import { ChunkList } from '../chunk/chunk-list.ts'
import type { Entry, EntryKind } from './entry.ts'

export const ENTRY_COLUMNS = 'path TEXT NOT NULL PRIMARY KEY, kind TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, exec INTEGER NOT NULL, deleted INTEGER NOT NULL, hash BLOB NOT NULL, target TEXT NOT NULL, chunks BLOB NOT NULL'
export const ENTRY_FIELDS = 'path, kind, size, mtime_ns, exec, deleted, hash, target, chunks'
export const ENTRY_PARAMS = ':path, :kind, :size, :mtime_ns, :exec, :deleted, :hash, :target, :chunks'

export type EntryParams = Record<string, string | bigint | number | Uint8Array>

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
    // the packed form the list has in memory: 16k chunks is one 576 KiB blob, not 16k rows
    chunks: e.chunks.bytes
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
    chunks: new ChunkList(row.chunks as Uint8Array)
  }
}
