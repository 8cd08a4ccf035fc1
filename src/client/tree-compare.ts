// Compares the synced directory with the index, one directory at a time: a readdir, one lstat per
// file or symlink, and the index's rows for that directory's children. Only paths that differ are
// reported; nothing is read or hashed, nothing goes to the hub. Memory is bounded by the largest
// directory and the walk's stack, not by the size of the tree.
import { readdirSync, type Dirent } from 'node:fs'
import { join } from 'node:path'
import { nameStatSync } from '../fs/local-stat.ts'
import { dirReal, SymlinkInPathError } from '../fs/folder-boundary.ts'
import { isReservedName, TEMP_PREFIX } from '../fs/safe-path.ts'
import { localState, type IndexStatRecord, type LocalStat } from '../reconcile/client-decide.ts'
import type { IndexStore } from '../index/index-store.ts'
import { TurnSlicer } from '../net/turn-slicer.ts'

/** The walk is synchronous inside a directory; between directories it lets the event loop run
 * (pings, hub messages) once this much time has passed. */
const SLICE_MS = 10

export interface CompareOptions {
  root: string
  index: Pick<IndexStore, 'children'>
  signal: AbortSignal
  /** a path that differs from the index (new, changed or gone) */
  changed: (path: string) => void
  /** called for a directory right before it is read: a watch set here leaves no gap */
  entering?: (dir: string) => void
  /** whether to walk into a subdirectory (default: always) */
  descend?: (dir: string) => boolean
  /** leftover temp files of distsync's own */
  onTemp?: (path: string) => void
  /** awaited between directories: resolves when the paths reported so far are few enough */
  backlog?: () => Promise<void>
}

export interface CompareCounts { dirs: number, entries: number, changed: number }

/** Walks `start` ('' for the root) and everything below it that `descend` allows. */
export async function compareTree (opts: CompareOptions, start = ''): Promise<CompareCounts> {
  const counts: CompareCounts = { dirs: 0, entries: 0, changed: 0 }
  const stack = [start]
  const slicer = new TurnSlicer(SLICE_MS)
  while (stack.length > 0) {
    opts.signal.throwIfAborted()
    const dir = stack.pop()!
    compareDir(opts, dir, counts, sub => { if (opts.descend?.(sub) ?? true) stack.push(sub) })
    if (opts.backlog != null && counts.changed > 0) await opts.backlog()
    await slicer.pass()
  }
  return counts
}

function compareDir (opts: CompareOptions, dir: string, counts: CompareCounts, subdir: (path: string) => void): void {
  opts.entering?.(dir)
  const atRoot = dir === ''
  const abs = atRoot ? opts.root : join(opts.root, dir)
  let names: Dirent[]
  try {
    // once per directory, not per file: a realpath is an lstat per path component
    if (!atRoot && !dirReal(abs)) return
    names = readdirSync(abs, { withFileTypes: true })
  } catch (err) {
    // made a symlink since its parent was read: reported, to be looked at as what it is now
    if (err instanceof SymlinkInPathError) { counts.changed++; opts.changed(dir); return }
    const code = (err as NodeJS.ErrnoException).code
    // gone or replaced since its parent was read: its parent's comparison (or the next) reports it
    if (code === 'ENOENT' || code === 'ENOTDIR') return
    throw err
  }
  counts.dirs++
  const known = opts.index.children(dir)
  const report = (path: string): void => { counts.changed++; opts.changed(path) }
  for (const d of names) {
    const path = atRoot ? d.name : `${dir}/${d.name}`
    if (isReservedName(d.name, atRoot)) {
      if (d.name.startsWith(TEMP_PREFIX)) opts.onTemp?.(path)
      continue
    }
    counts.entries++
    const rec = known.get(d.name)
    known.delete(d.name)
    // a directory's own stat says nothing (its mtime moves with its children): no lstat needed
    const local: LocalStat | null = d.isDirectory() ? DIR : nameStatSync(join(opts.root, path))
    const state = localState(local, rec)
    if (state === 'changed' || state === 'deleted') report(path)
    if (local?.kind === 'dir') subdir(path)
  }
  // in the index, not on disk
  for (const [name, rec] of known) if (isLive(rec)) report(atRoot ? name : `${dir}/${name}`)
}

const DIR: LocalStat = { kind: 'dir', size: 0, mtimeNs: 0n, exec: false, ino: 0n, target: '' }

const isLive = (rec: IndexStatRecord): boolean => !rec.entry.deleted
