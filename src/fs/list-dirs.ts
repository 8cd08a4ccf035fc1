// The shape of the synced tree for planning the watcher (client/watch-plan.ts): per directory,
// how many names it holds and which are directories. Names only (one readdir per directory, no
// stat); distsync's own names and what `descend` refuses are left out.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { isReservedName } from './safe-path.ts'
import { TurnSlicer } from '../net/turn-slicer.ts'

/** What a walk saw of one directory: how many names it holds, and which are directories. */
export interface DirListing { entries: number, subdirs: readonly string[] }

/** Between directories the walk lets the event loop run once this much time has passed. */
const SLICE_MS = 10

/** From `start` ('' for the folder) down. */
export async function listDirs (root: string, descend: (dir: string) => boolean, signal: AbortSignal, start = ''): Promise<Map<string, DirListing>> {
  const tree = new Map<string, DirListing>()
  const stack = [start]
  const slicer = new TurnSlicer(SLICE_MS)
  while (stack.length > 0) {
    signal.throwIfAborted()
    const dir = stack.pop()!
    let names
    try {
      names = readdirSync(dir === '' ? root : join(root, dir), { withFileTypes: true })
    } catch {
      // gone, replaced or unreadable since: the watcher meets it (and says so) on its own
      continue
    }
    const subdirs: string[] = []
    let entries = 0
    for (const d of names) {
      if (isReservedName(d.name, dir === '')) continue
      entries++
      const path = dir === '' ? d.name : `${dir}/${d.name}`
      if (d.isDirectory() && descend(path)) subdirs.push(path)
    }
    tree.set(dir, { entries, subdirs })
    for (const sub of subdirs) stack.push(sub)
    await slicer.pass()
  }
  return tree
}
