// Watches the synced directory and compares it with the index: one inotify watch per directory,
// set on each directory right before a scan reads it (so a change is seen by the watch or by the
// read, never by neither). A watch event names a path that may have changed; a new directory is
// watched and walked, a gone one forgotten. Directories past the kernel's watch limit are said so
// once and rescanned on a timer instead. Replaces chokidar, whose start-up lstat'ed and kept every
// path of the tree.
import { lstatSync, unlink } from 'node:fs'
import { join } from 'node:path'
import { DirWatches } from '../fs/dir-watches.ts'
import { isReservedName } from '../fs/safe-path.ts'
import { readWatchLimit, watchLimitMessage } from '../fs/watch-limit.ts'
import { compareTree, type CompareCounts } from './tree-compare.ts'
import { logger } from '../logger.ts'
import type { IndexStore } from '../index/index-store.ts'

const log = logger('client')

/** How often directories that cannot be watched are compared with the index. */
export const UNWATCHED_RESCAN_MS = 30_000

export interface TreeMonitorOptions {
  root: string
  index: Pick<IndexStore, 'children'>
  signal: AbortSignal
  /** a path that may have changed */
  changed: (path: string) => void
  /** awaited between directories of a walk that found changes (the path queue's backlog) */
  backlog?: () => Promise<void>
  /** where the watch limit message goes (a test reads it) */
  warn?: (line: string) => void
  unwatchedRescanMs?: number
}

export class TreeMonitor {
  readonly #opts: TreeMonitorOptions
  readonly #watches: DirWatches
  readonly #timer: NodeJS.Timeout
  #warned = false
  #scans = 0

  constructor (opts: TreeMonitorOptions) {
    this.#opts = opts
    this.#watches = new DirWatches(opts.root, (dir, name) => { this.#event(dir, name) })
    this.#timer = setInterval(() => { void this.#rescanUnwatched() }, opts.unwatchedRescanMs ?? UNWATCHED_RESCAN_MS).unref()
    opts.signal.addEventListener('abort', () => { this.close() }, { once: true })
  }

  /** Compares the whole tree with the index, watching every directory it reads. */
  async scanAll (): Promise<CompareCounts> {
    const started = performance.now()
    const counts = await this.#compare('', () => true)
    const ms = Math.round(performance.now() - started)
    const first = this.#scans++ === 0
    ;(first ? log.info.bind(log) : log.debug.bind(log))({ ...counts, ms, watched: this.#watches.watched }, first ? 'startup scan done' : 'rescan done')
    return counts
  }

  get watchedDirs (): number { return this.#watches.watched }
  get unwatchedDirs (): number { return this.#watches.unwatched.length }

  close (): void {
    clearInterval(this.#timer)
    this.#watches.close()
  }

  async #compare (start: string, descend: (dir: string) => boolean): Promise<CompareCounts> {
    const { root, index, signal, changed } = this.#opts
    try {
      return await compareTree({
        root, index, signal, changed, descend, backlog: this.#opts.backlog,
        entering: dir => { this.#watches.watch(dir) },
        onTemp: rel => { unlink(join(root, rel), () => {}) }
      }, start)
    } finally {
      this.#sayIfUnwatched()
    }
  }

  #event (dir: string, name: string | null): void {
    if (this.#opts.signal.aborted) return
    if (name == null) {
      // the kernel did not say what changed: compare that directory
      void this.#compare(dir, sub => !this.#watches.known(sub)).catch(err => { this.#failed(err) })
      return
    }
    if (isReservedName(name.split('/')[0]!, dir === '')) return
    const path = dir === '' ? name : `${dir}/${name}`
    this.#opts.changed(path)
    let ino: number | undefined
    try {
      const st = lstatSync(join(this.#opts.root, path))
      if (st.isDirectory()) ino = st.ino
    } catch {}
    if (ino == null) { this.#watches.forget(path); return }
    if (this.#watches.current(path, ino)) return
    // a directory made, moved in, renamed or replaced: watch it and everything in it
    this.#watches.forget(path)
    void this.#compare(path, () => true).catch(err => { this.#failed(err) })
  }

  async #rescanUnwatched (): Promise<void> {
    for (const dir of this.#watches.unwatched) {
      if (this.#opts.signal.aborted) return
      try {
        await this.#compare(dir, sub => !this.#watches.known(sub))
      } catch (err) {
        this.#failed(err)
      }
    }
  }

  #sayIfUnwatched (): void {
    const unwatched = this.#watches.unwatched.length
    if (this.#warned || unwatched === 0) return
    this.#warned = true
    const line = watchLimitMessage({ unwatched, limit: readWatchLimit(), rescanSeconds: Math.round((this.#opts.unwatchedRescanMs ?? UNWATCHED_RESCAN_MS) / 1000) })
    if (this.#opts.warn != null) this.#opts.warn(line)
    else log.warn({ code: this.#watches.lastError?.code }, line)
  }

  #failed (err: unknown): void {
    if (!this.#opts.signal.aborted) log.error({ err: (err as Error).message }, 'scan failed')
  }
}
