// The one boundary for filesystem operations on paths in the synced folder: nothing here follows
// a symlink in a parent component, so no read, stat, open, rename or unlink resolves outside the
// folder or into its state folder through a link a peer made (issue 17). A symlink as the last
// component is itself what is synced and is never followed either.
//
// Paths are absolute and built as join(root, rel) from the folder's realpath: a path is inside
// when resolving it changes nothing. Every function is synchronous, so the check and the
// operation it guards run with nothing of this process in between (another path's apply cannot
// swap a directory for a link there); only a local process racing us could, as with any tool
// without openat (Node has none).
import { closeSync, constants, linkSync, lstatSync, openSync, readdirSync, readlinkSync, realpathSync, renameSync, rmdirSync, symlinkSync, unlinkSync } from 'node:fs'
import { dirname } from 'node:path'
import { PathError } from './safe-path.ts'

const PROC_FD = process.platform === 'linux'
const missing = (err: unknown): boolean => ['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '')

export class SymlinkInPathError extends PathError {
  constructor (abs: string) {
    super('ERR_SYMLINK_IN_PATH', `${abs}: a parent is a symlink; not following it`)
  }
}

/** The file was renamed or removed between the open and the check: as if it was not there. */
export class MovedWhileOpenedError extends Error {
  override name = 'MovedWhileOpenedError'
  readonly code = 'ENOENT'
}

/**
 * True if every parent component of `abs` is a real directory; false if one is missing or not a
 * directory (then nothing can be at `abs`). Throws SymlinkInPathError if one is a symlink.
 * One realpath(3): glibc looks at each component once, a few µs for a few levels.
 */
export function parentsReal (abs: string): boolean {
  return dirReal(dirname(abs), abs)
}

/** parentsReal for the directory itself: true if `dir` and every component above it is a real
 * directory. `of` names the path in the error. */
export function dirReal (dir: string, of = dir): boolean {
  let real
  try {
    real = realpathSync.native(dir)
  } catch (err) {
    if (missing(err)) return parentWithLinkOrMissing(dir)
    // a link on the way that names itself (or a ring of them) is still a link on the way: a
    // remote change below it waits for it to go, as below any link (fs-fuzz seed 160)
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw new SymlinkInPathError(of)
    throw err
  }
  if (real !== dir) throw new SymlinkInPathError(of)
  return true
}

/** realpath failed: a dangling link on the way is still a link, not "missing". */
function parentWithLinkOrMissing (dir: string): boolean {
  for (let d = dir; d !== dirname(d); d = dirname(d)) {
    let st
    try {
      st = lstatSync(d)
    } catch {
      continue
    }
    if (st.isSymbolicLink()) throw new SymlinkInPathError(dir)
  }
  return false
}

/** Throws SymlinkInPathError unless every parent of `abs` is a real directory or missing. */
export function assertInside (abs: string): void {
  parentsReal(abs)
}

/**
 * Opens `abs` without following a symlink anywhere in it. On Linux the opened file's real path
 * is read back from /proc/self/fd: race-free, whatever changes after the open.
 */
export function openInFolder (abs: string, flags: number | 'r' | 'wx' = 'r', mode?: number): number {
  const f = typeof flags === 'number' ? flags : flags === 'r' ? constants.O_RDONLY : constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL
  if (!PROC_FD) assertInside(abs)
  const fd = openSync(abs, f | constants.O_NOFOLLOW, mode)
  if (PROC_FD) {
    let real: string | undefined
    try {
      real = readlinkSync(`/proc/self/fd/${fd}`)
    } catch {}
    if (real !== abs) {
      closeSync(fd)
      // renamed or removed since the open (a race, not an attack) unless a parent is a link now
      assertInside(abs)
      throw new MovedWhileOpenedError(`${abs}: moved or removed while it was opened`)
    }
  }
  return fd
}

export function renameInFolder (from: string, to: string): void {
  assertInside(from)
  assertInside(to)
  renameSync(from, to)
}

export function linkInFolder (from: string, to: string): void {
  assertInside(from)
  assertInside(to)
  linkSync(from, to)
}

export function unlinkInFolder (abs: string): void {
  assertInside(abs)
  unlinkSync(abs)
}

/** The names in directory `abs`, which must not be a link either. */
export function readdirInFolder (abs: string): string[] {
  assertInside(abs)
  if (lstatSync(abs).isSymbolicLink()) throw new SymlinkInPathError(abs)
  return readdirSync(abs)
}

export function rmdirInFolder (abs: string): void {
  assertInside(abs)
  rmdirSync(abs)
}

/** Makes a symlink at `abs`; its target is stored as given, never resolved. */
export function symlinkInFolder (target: string, abs: string): void {
  assertInside(abs)
  symlinkSync(target, abs)
}
