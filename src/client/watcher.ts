// chokidar, reduced to what the client needs: "this relative path may have changed". A hint, not
// the truth: the client looks at the disk for every path named here. What chokidar filters is
// recovered: a mode-only change of a file it has seen read (its own stat comparison drops it, the
// raw inotify event still comes), a directory made where a file was (chokidar then reports the
// files inside but watches nothing there), and a name made where its state went stale.
import { watch } from 'chokidar'
import { join, relative, sep } from 'node:path'
import { isReservedName, parentOf } from '../fs/safe-path.ts'

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
export function watchTree (root: string, changed: (relPath: string) => void, failed: (err: Error) => void, replacedDir?: (relDir: string) => boolean, skip?: (relPath: string, isDir: boolean) => boolean): TreeWatcher {
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
  const watcher = watch(root, {
    ignoreInitial: true,
    followSymlinks: false,
    // the client's own scan covers startup; atomic saves are ordinary change events to us
    atomic: false,
    // chokidar asks without stats first, then with them: a directory rule matches the second time
    ignored: (abs: string, stats?: { isDirectory: () => boolean }) => {
      const rel = toRel(abs)
      return ignored(rel) || (rel !== '' && !rel.startsWith('..') && skip?.(rel, stats?.isDirectory() === true) === true)
    }
  })
  watcher.on('all', (_event, abs) => {
    const rel = toRel(abs)
    if (rel === '') return
    changed(rel)
    const dir = parentOf(rel)
    if (dir !== '' && replacedDir?.(dir) === true) {
      changed(dir)
      watcher.add(join(root, dir))
    }
  })
  // inotify's events, including those chokidar drops: a chmod of a file whose size and mtime it
  // has seen, and a name made or removed where its own state for the path went stale (a directory
  // it was asked to watch, removed, then made again by the user: fs-fuzz seed 109). At most one
  // more lstat for a path already reported.
  watcher.on('raw', (event, name, details: unknown) => {
    const watchedPath = (details as { watchedPath?: unknown } | null)?.watchedPath
    if ((event !== 'change' && event !== 'rename') || typeof name !== 'string' || typeof watchedPath !== 'string') return
    const rel = toRel(join(watchedPath, name))
    if (rel !== '' && !rel.startsWith('..') && !ignored(rel)) changed(rel)
  })
  watcher.on('error', err => {
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
  })
  const ready = new Promise<void>(resolve => { watcher.once('ready', resolve) })
  // unwatched first: chokidar keeps a closer for a watched root that went (rm -r, or a file put
  // there), and add() of that path is then a no-op: nothing in the new directory is reported
  // (fs-fuzz seed 109: a directory replaced twice by applies, the user's later writes unseen)
  const rewatch = (dir: string): void => {
    const abs = join(root, dir)
    watcher.unwatch(abs)
    watcher.add(abs)
  }
  return { ready, close: async () => { await watcher.close() }, watch: rewatch }
}
