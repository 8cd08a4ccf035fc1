// One inotify watch per directory (fs.watch, not recursive), keyed by the directory's relative
// path. A directory that cannot be watched (the kernel's watch limit) is remembered as unwatched
// so that its owner can rescan it instead.
import { lstatSync, watch, type FSWatcher } from 'node:fs'
import { join } from 'node:path'

/** `name` is null when the kernel did not say which entry changed. */
export type DirEvent = (dir: string, name: string | null) => void

export class DirWatches {
  readonly #root: string
  readonly #event: DirEvent
  readonly #watchers = new Map<string, FSWatcher>()
  /** the inode each watch was set on: a directory replaced under the same name needs a new watch */
  readonly #inodes = new Map<string, number>()
  readonly #unwatched = new Set<string>()
  /** the error that left directories unwatched (ENOSPC: the limit), for the message */
  lastError: NodeJS.ErrnoException | undefined

  constructor (root: string, event: DirEvent) {
    this.#root = root
    this.#event = event
  }

  /** Watches `dir` unless it is already watched; false if it cannot be (it is then unwatched). */
  watch (dir: string): boolean {
    if (this.#watchers.has(dir)) return true
    const abs = dir === '' ? this.#root : join(this.#root, dir)
    let w: FSWatcher
    let ino: number
    try {
      ino = lstatSync(abs).ino
      w = watch(abs, { persistent: false, encoding: 'utf8' })
    } catch (err) {
      const e = err as NodeJS.ErrnoException
      // gone already: whoever finds it gone reports it
      if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return false
      this.lastError = e
      this.#unwatched.add(dir)
      return false
    }
    this.#unwatched.delete(dir)
    this.#watchers.set(dir, w)
    this.#inodes.set(dir, ino)
    w.on('change', (_type, name) => { this.#event(dir, typeof name === 'string' ? name : null) })
    // the directory went (or the watch broke): its parent's event or the next scan sees to it
    w.on('error', () => { this.forget(dir) })
    return true
  }

  /** Whether the watch on `dir` is on the directory now there (inode `ino`). */
  current (dir: string, ino: number): boolean { return this.#inodes.get(dir) === ino }

  /** Whether `dir` is watched or known to be unwatchable. */
  known (dir: string): boolean { return this.#watchers.has(dir) || this.#unwatched.has(dir) }

  get watched (): number { return this.#watchers.size }
  get unwatched (): string[] { return [...this.#unwatched] }

  /** `path` is no longer a directory: drop its watch and those below it. */
  forget (path: string): void {
    if (!this.known(path)) return
    const below = path + '/'
    for (const [dir, w] of this.#watchers) {
      if (dir === path || dir.startsWith(below)) { w.close(); this.#watchers.delete(dir); this.#inodes.delete(dir) }
    }
    for (const dir of this.#unwatched) if (dir === path || dir.startsWith(below)) this.#unwatched.delete(dir)
  }

  close (): void {
    for (const w of this.#watchers.values()) w.close()
    this.#watchers.clear()
    this.#inodes.clear()
    this.#unwatched.clear()
  }
}
