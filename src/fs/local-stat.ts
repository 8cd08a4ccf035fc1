import { fstatSync, lstatSync, readlinkSync, type BigIntStats } from 'node:fs'
import type { LocalStat } from '../reconcile/client-decide.ts'
import { parentsReal } from './folder-boundary.ts'

const missing = (err: unknown): boolean => ['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '')

/** lstat as the reconcile code sees it; null when nothing is there. Never follows a symlink,
 * in the last component or a parent (SymlinkInPathError). Synchronous inside: see localStatSync. */
export async function localStat (abs: string): Promise<LocalStat | null> {
  return localStatSync(abs)
}

/**
 * lstat without the threadpool: here an fs/promises call cost ~50 µs of CPU (the hand-off to a
 * pool thread and back), a synchronous lstat 1-2 µs. Metadata calls on the sync paths are
 * synchronous for that reason; only data flushes (fdatasync) and big reads go to the pool.
 */
export function localStatSync (abs: string): LocalStat | null {
  return parentsReal(abs) ? nameStatSync(abs) : null
}

/** localStatSync for a name in a directory the caller has just found real (parentsReal of a
 * sibling): a walk checks each directory once instead of every component for each file. */
export function nameStatSync (abs: string): LocalStat | null {
  let st
  try {
    st = lstatSync(abs, { bigint: true })
  } catch (err) {
    if (missing(err)) return null
    throw err
  }
  let target = ''
  if (st.isSymbolicLink()) try { target = readlinkSync(abs) } catch {}
  return toLocal(st, target)
}

/** The stat of a file this process has open (one it just wrote): no path is looked up. */
export function fdStat (fd: number): LocalStat {
  return toLocal(fstatSync(fd, { bigint: true }), '')
}

function toLocal (st: BigIntStats, target: string): LocalStat {
  const kind = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other'
  return {
    kind,
    size: kind === 'file' ? Number(st.size) : 0,
    mtimeNs: st.mtimeNs,
    exec: kind === 'file' && (st.mode & 0o100n) !== 0n,
    ino: st.ino,
    target,
    ctimeNs: st.ctimeNs,
    nlink: Number(st.nlink)
  }
}
/** Unchanged as far as syncing goes. A directory's own mtime moves with its children: not a change. */
export function sameStat (a: LocalStat | null, b: LocalStat | null): boolean {
  if (a == null || b == null) return a === b
  if (a.kind === 'dir' || b.kind === 'dir') return a.kind === b.kind
  return a.kind === b.kind && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ino === b.ino && a.exec === b.exec && a.target === b.target
}
