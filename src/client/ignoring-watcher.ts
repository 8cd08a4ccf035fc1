// The tree watcher with the ignore rules applied: ignored paths are not watched. Rules that
// change are applied by watching anew (chokidar cannot un-ignore a directory it skipped); the
// caller rescans once the new watcher is ready, which covers the moment between the two.
import { watchTree, type TreeWatcher } from './watcher.ts'

export class IgnoringWatcher {
  readonly #start: () => TreeWatcher
  #current: TreeWatcher

  constructor (root: string, changed: (relPath: string) => void, failed: (err: Error) => void, replacedDir: (relDir: string) => boolean, ignored: (relPath: string, kind: 'file' | 'dir') => boolean, watchedBelow: (relDir: string) => void) {
    this.#start = () => watchTree(root, changed, failed, replacedDir, (rel, isDir) => ignored(rel, isDir ? 'dir' : 'file'), watchedBelow)
    this.#current = this.#start()
  }

  get ready (): Promise<void> { return this.#current.ready }

  /** Watches a directory again (one that replaced a file or link: chokidar may have dropped it). */
  watch (relDir: string): void { this.#current.watch(relDir) }

  /** Watches with the rules as they are now; resolves when the new watcher is ready. */
  async restart (): Promise<void> {
    const old = this.#current
    this.#current = this.#start()
    await old.close()
    await this.#current.ready
  }

  async close (): Promise<void> {
    await this.#current.close()
  }
}
