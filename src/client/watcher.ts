// chokidar, reduced to what the client needs: "this relative path may have changed". A hint, not
// the truth: the client looks at the disk for every path named here. What chokidar filters is
// recovered: a mode-only change of a file it has seen read (its own stat comparison drops it, the
// raw inotify event still comes), a directory made where a file was (chokidar then reports the
// files inside but watches nothing there), and a name made where its state went stale.
import { watch, type FSWatcher } from 'chokidar'
import { once } from 'node:events'
import { join, relative, sep } from 'node:path'
import { isReservedName, parentOf } from '../fs/safe-path.ts'
import { listDirs } from '../fs/list-dirs.ts'
import { planWatchRoots } from './watch-plan.ts'

/** Entries chokidar is handed at once (watch-plan.ts; the sizes tried are in design-notes, issue 20). */
const WATCH_BATCH_ENTRIES = 2000

export interface TreeWatcher {
  /** Resolves once every directory is watched: a file written after that is reported, one
   * written before is the startup scan's to find (there is no gap between the two). */
  ready: Promise<void>
  close: () => Promise<void>
  /** makes sure a directory is watched (one made where a file was is not, by chokidar) */
  watch: (relDir: string) => void
}

const RACE_CODES = new Set(['EINVAL', 'ENOENT', 'ENOTDIR', 'ELOOP'])

/** `replacedDir(relDir)`: true if the index holds `relDir` as something other than a live
 * directory (a file, a link, a tombstone); a child reported there means it became a directory. */
/** `skip`: paths not to watch at all (the ignore rules): an ignored node_modules/ costs no watches. */
/** `watchedBelow(relDir)`: a tree made (moved in) at `relDir` is watched in pieces now; what was
 * written in it before is the caller's to find (a comparison below it), as at the start. */
export function watchTree (root: string, changed: (relPath: string) => void, failed: (err: Error) => void, replacedDir?: (relDir: string) => boolean, skip?: (relPath: string, isDir: boolean) => boolean, watchedBelow?: (relDir: string) => void): TreeWatcher {
  // called for every path chokidar walks, twice: a prefix cut, not path.relative's resolving
  const prefix = root.endsWith(sep) ? root : root + sep
  const toRel = (abs: string): string => {
    const rel = abs.startsWith(prefix) ? abs.slice(prefix.length) : abs === root ? '' : relative(root, abs)
    return sep === '/' ? rel : rel.split(sep).join('/')
  }
  const ignored = (rel: string): boolean => {
    if (rel === '' || rel.startsWith('..')) return false
    return rel.split('/').some((p, i) => isReservedName(p, i === 0))
  }
  const options = {
    ignoreInitial: true,
    followSymlinks: false,
    // the client's own scan covers startup; atomic saves are ordinary change events to us
    atomic: false,
    // chokidar asks without stats first, then with them: a directory rule matches the second time
    ignored: (abs: string, stats?: { isDirectory: () => boolean }) => {
      const rel = toRel(abs)
      return ignored(rel) || (rel !== '' && !rel.startsWith('..') && skip?.(rel, stats?.isDirectory() === true) === true)
    }
  }
  const closing = new AbortController()
  const watchers: FSWatcher[] = []
  interface Piece { w: FSWatcher, roots: Set<string> }
  const open = (paths: string[], extra: { depth?: number, ignoreInitial?: boolean }, rewatchRoots: boolean): Piece => {
    const w = watch(paths, { ...options, ...extra })
    const piece = { w, roots: new Set(paths) }
    // a piece's own root reported: as it is handed over (not a new directory to plan), or made
    // again once watched (chokidar may not watch a root that came back: watched late, as seed 109)
    let settled = false
    w.once('ready', () => { settled = true })
    w.on('all', (event, path) => {
      if (event !== 'addDir' || !piece.roots.has(path)) { onAll(event, path); return }
      changed(toRel(path))
      if (settled && rewatchRoots) watchLate(path)
    })
    w.on('raw', onRaw)
    w.on('error', onError)
    watchers.push(w)
    return piece
  }
  // directories watched after the start: one made below a directory watched without its subtree
  // (a small one), or one made where a file was. What is inside already is reported, as chokidar
  // does for its own.
  let late: Piece | undefined
  const watchLate = (abs: string): void => {
    if (closing.signal.aborted) return
    late ??= open([], { ignoreInitial: false }, false)
    late.roots.add(abs)
    // unwatched first: chokidar keeps a closer for a watched root that went (rm -r, or a file put
    // there), and add() of that path is then a no-op: nothing in the new directory is reported
    // (fs-fuzz seed 109: a directory replaced twice by applies, the user's later writes unseen)
    late.w.unwatch(abs)
    late.w.add(abs)
  }
  // directories watched without their subtree (watch-plan.ts): their new subdirectories are not
  const shallow = new Set<string>()
  function onAll (event: string, abs: string): void {
    const rel = toRel(abs)
    if (rel === '') return
    changed(rel)
    const dir = parentOf(rel)
    if (event === 'addDir' && shallow.has(dir)) void queuePieces(rel, true)
    if (dir !== '' && replacedDir?.(dir) === true) {
      changed(dir)
      watchLate(join(root, dir))
    }
  }
  // inotify's events, including those chokidar drops: a chmod of a file whose size and mtime it
  // has seen, and a name made or removed where its own state for the path went stale (a directory
  // it was asked to watch, removed, then made again by the user: fs-fuzz seed 109). At most one
  // more lstat for a path already reported.
  function onRaw (event: string, name: unknown, details: unknown): void {
    const watchedPath = (details as { watchedPath?: unknown } | null)?.watchedPath
    if ((event !== 'change' && event !== 'rename') || typeof name !== 'string' || typeof watchedPath !== 'string') return
    const rel = toRel(join(watchedPath, name))
    if (rel !== '' && !rel.startsWith('..') && !ignored(rel)) changed(rel)
  }
  function onError (err: unknown): void {
    // chokidar looking at a path that changed kind under it (readlink of what is no longer a
    // link: EINVAL) is a race, not a failure: the path is looked at again (fs-fuzz seed 115)
    const { code, path } = err as NodeJS.ErrnoException
    if (code != null && RACE_CODES.has(code)) {
      if (typeof path === 'string') {
        const rel = toRel(path)
        if (rel !== '' && !rel.startsWith('..') && !ignored(rel)) changed(rel)
      }
      return
    }
    failed(err as Error)
  }
  const abs = (rel: string): string => rel === '' ? root : join(root, rel)
  // pieces are handed over one at a time: at the start, and for a tree made (moved in) later below
  // a directory watched without its subtree; a small new one joins the late watcher
  let pieces = Promise.resolve()
  const watchPieces = async (start: string, made: boolean): Promise<void> => {
    const tree = await listDirs(root, dir => skip?.(dir, true) !== true, closing.signal, start)
    const plan = planWatchRoots(tree, WATCH_BATCH_ENTRIES, start, start === '')
    if (made && plan.length === 1 && plan[0]!.length === 1 && plan[0]![0]!.recursive) {
      watchLate(abs(start))
      return
    }
    for (const batch of plan) {
      if (closing.signal.aborted) return
      const recursive = batch[0]!.recursive
      if (!recursive) for (const r of batch) shallow.add(r.dir)
      const { w } = open(batch.map(r => abs(r.dir)), recursive ? {} : { depth: 0 }, true)
      await once(w, 'ready', { signal: closing.signal })
    }
    // not each of its files reported (a tree of 100,000 moved in: as many events, then comparisons
    // of the whole folder again and again while they came): one comparison below it
    if (made) watchedBelow?.(start)
  }
  const queuePieces = (start: string, made: boolean): Promise<void> => {
    pieces = pieces.then(async () => { await watchPieces(start, made) }).catch(err => { if (!closing.signal.aborted) failed(err as Error) })
    return pieces
  }
  const ready = queuePieces('', false)
  const rewatch = (dir: string): void => { watchLate(join(root, dir)) }
  const close = async (): Promise<void> => {
    closing.abort()
    await Promise.all(watchers.map(async w => { await w.close() }))
  }
  return { ready, close, watch: rewatch }
}
