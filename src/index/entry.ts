// Domain model shared by hub and client. Wire types never leave src/protocol/.
import { ChunkList } from '../chunk/chunk-list.ts'

export type EntryKind = 'file' | 'dir' | 'symlink'

export type { ChunkRef } from '../chunk/chunk-list.ts'

/** What the index knows of one path (DESIGN.md, The model). */
export interface Entry {
  /** relative POSIX path, NFC */
  path: string
  kind: EntryKind
  size: number
  mtimeNs: bigint
  exec: boolean
  deleted: boolean
  /** SHA-256 of the whole file; empty for dirs, symlinks and tombstones */
  hash: Uint8Array
  chunks: ChunkList
  /** symlink target, verbatim */
  target: string
}

export interface JournalEntry {
  entry: Entry
  seq: number
}

export const EMPTY_HASH = new Uint8Array(0)

export function hex (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

export function bytesEqual (a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0
}

/**
 * Same content: what a reader of the file would see. mtime is not content: two clients that
 * wrote the same bytes at different times hold the same file.
 */
export function sameContent (a: Entry, b: Entry): boolean {
  if (a.deleted || b.deleted) return a.deleted === b.deleted
  if (a.kind !== b.kind) return false
  switch (a.kind) {
    case 'dir': return true
    case 'symlink': return a.target === b.target
    case 'file': return a.size === b.size && a.exec === b.exec && bytesEqual(a.hash, b.hash)
  }
}

export function tombstone (path: string, kind: EntryKind, mtimeNs: bigint): Entry {
  return { path, kind, size: 0, mtimeNs, exec: false, deleted: true, hash: EMPTY_HASH, chunks: ChunkList.EMPTY, target: '' }
}
