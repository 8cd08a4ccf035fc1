// chokidar, reduced to what the client needs: "this relative path may have changed".
import { watch } from 'chokidar'
import { relative, sep } from 'node:path'
import { isReservedName } from '../fs/safe-path.ts'

export interface TreeWatcher {
  /** Resolves once every directory is watched: a file written after that is reported, one
   * written before is the startup scan's to find (there is no gap between the two). */
  ready: Promise<void>
  close: () => Promise<void>
}

/** `skip`: paths not to watch at all (the ignore rules): an ignored node_modules/ costs no watches */
export function watchTree (root: string, changed: (relPath: string) => void, failed: (err: Error) => void, skip?: (relPath: string, isDir: boolean) => boolean): TreeWatcher {
  const toRel = (abs: string): string => relative(root, abs).split(sep).join('/')
  const watcher = watch(root, {
    ignoreInitial: true,
    followSymlinks: false,
    // the client's own scan covers startup; atomic saves are ordinary change events to us
    atomic: false,
    ignored: (abs: string, stats?: { isDirectory: () => boolean }) => {
      const rel = toRel(abs)
      if (rel === '' || rel.startsWith('..')) return false
      const parts = rel.split('/')
      // chokidar asks without stats first, then with them: a directory rule matches the second time
      return parts.some((p, i) => isReservedName(p, i === 0)) || (skip?.(rel, stats?.isDirectory() === true) ?? false)
    }
  })
  watcher.on('all', (_event, abs) => {
    const rel = toRel(abs)
    if (rel !== '') changed(rel)
  })
  watcher.on('error', err => { failed(err as Error) })
  const ready = new Promise<void>(resolve => { watcher.once('ready', resolve) })
  return { ready, close: async () => { await watcher.close() } }
}
