// The client's decisions: did the user change a path, and what to do with a change from the hub.
// Pure: stat snapshots and index records in, an action out. Table-tested.
import { bytesEqual, type Entry, type EntryKind } from '../index/entry.ts'

/** What lstat says of a path now (null: nothing there). */
export interface LocalStat {
  kind: EntryKind | 'other'
  size: number
  mtimeNs: bigint
  exec: boolean
  ino: bigint
  /** symlink target */
  target: string
  /** when the inode last changed (content, mode or times; utimes cannot set it back). Not compared. */
  ctimeNs?: bigint
  /** names of the inode (hard links): a change through one is a change of all. Not compared. */
  nlink?: number
}

/** The index's record of a path: the entry it is based on and the stat it had on disk then. */
export interface IndexRecord {
  entry: Entry
  seq: number
  /** stat of the path when the index last saw it in sync; null for tombstones */
  stat: Pick<LocalStat, 'size' | 'mtimeNs' | 'ino'> | null
}

/** How long a file is taken to be in the middle of a write after its inode last changed. */
export const SETTLE_WINDOW_NS = 200_000_000n
/** Files at least this big are not read inside the window: reading one mid-write is wasted work. */
export const SETTLE_CHECK_BYTES = 8 * 1024 * 1024

/**
 * Whether a file is probably being written right now, so proposing it would send a state that
 * never meant to exist. Two cases: a big file (reading it costs), and an empty one (truncate,
 * then write: the common way to rewrite a file, and an empty file synced for ~100 ms to every
 * node until the write is seen). Being written means both its inode (ctime, which utimes cannot
 * set) and its content (mtime: every write moves it to now) changed within the window. A file
 * moved in, renamed or stamped with an old mtime (cp -p, rsync and tar stamp it after the last
 * write) is complete, and waiting for it cost 200 ms of every large move. A time in the future
 * counts as settled, so a file stamped ahead is not put off forever.
 */
export function stillBeingWritten (local: LocalStat, nowNs: bigint): boolean {
  if (local.kind !== 'file' || (local.size !== 0 && local.size < SETTLE_CHECK_BYTES)) return false
  const recent = (t: bigint): boolean => nowNs - t >= 0n && nowNs - t < SETTLE_WINDOW_NS
  return recent(local.ctimeNs ?? local.mtimeNs) && recent(local.mtimeNs)
}

export type LocalState = 'unchanged' | 'changed' | 'deleted' | 'absent'

/** What change detection reads of an index record: no hash, no chunk list. */
export interface IndexStatRecord {
  entry: Pick<Entry, 'kind' | 'deleted' | 'exec' | 'target'>
  stat: IndexRecord['stat']
}

/** Compares the disk with the index: the whole of change detection (DESIGN.md flow 1). */
export function localState (local: LocalStat | null, rec: IndexStatRecord | undefined): LocalState {
  const known = rec != null && !rec.entry.deleted
  if (local == null || local.kind === 'other') return known ? 'deleted' : 'absent'
  if (!known) return 'changed'
  const e = rec.entry
  if (e.kind !== local.kind) return 'changed'
  switch (e.kind) {
    case 'dir': return 'unchanged'
    case 'symlink': return e.target === local.target ? 'unchanged' : 'changed'
    case 'file': {
      const s = rec.stat
      if (s == null) return 'changed'
      return s.size === local.size && s.mtimeNs === local.mtimeNs && s.ino === local.ino && e.exec === local.exec ? 'unchanged' : 'changed'
    }
  }
}

export type RemoteAction =
  /** the index is already at or past this seq */
  | 'skip'
  /** the disk is as the index knows it: make it the remote entry */
  | 'apply'
  /** the disk already holds the remote content: only record it */
  | 'adopt'
  /** the disk already holds the remote content but not its exec bit. (A differing mtime alone is
   * left as it is: the bytes are what the user sees, and rewriting mtimes would wake watchers.) */
  | 'adopt-metadata'
  /** the user changed the path too: propose the local version, the hub decides */
  | 'propose-local'
  /** a changed local file whose content must be hashed before deciding */
  | 'hash-local'

export function decideRemote (local: LocalStat | null, rec: IndexRecord | undefined, remote: Entry, remoteSeq: number, localHash?: Uint8Array): RemoteAction {
  if (rec != null && rec.seq >= remoteSeq) return 'skip'
  const state = localState(local, rec)
  if (state === 'unchanged' || state === 'absent') return 'apply'
  // The user changed the path since the index last saw it.
  if (state === 'deleted') return remote.deleted ? 'adopt' : 'propose-local'
  if (local == null) return 'propose-local'
  if (remote.deleted) return 'propose-local'
  if (local.kind !== remote.kind) return 'propose-local'
  if (remote.kind === 'dir') return 'adopt'
  if (remote.kind === 'symlink') return local.target === remote.target ? 'adopt' : 'propose-local'
  if (local.size !== remote.size) return 'propose-local'
  if (localHash == null) return 'hash-local'
  if (!bytesEqual(localHash, remote.hash)) return 'propose-local'
  return local.exec === remote.exec ? 'adopt' : 'adopt-metadata'
}
