// How the directory watcher takes a big tree in bounded pieces. chokidar walks everything it is
// given at once, every directory's listing and stats in flight together, several times what it
// keeps once done. Given pieces of at most a few thousand entries, one after another, its peak
// is what it keeps plus one piece.
import type { DirListing } from '../fs/list-dirs.ts'

/** A directory to hand chokidar: with everything below it, or (`recursive: false`) only its own
 * names, when what is below is too big for one piece; `size` is the entries it brings. */
export interface WatchRoot { dir: string, recursive: boolean, size: number }

/**
 * The roots covering every directory of `tree` reachable from `start` exactly once, in batches of
 * at most `limit` entries (a single directory holding more is a batch of its own). A batch holds
 * roots of one kind, so it is one watcher with one depth. `startAlone`: `start` is watched without
 * its subtree whatever its size (the folder itself: a tree moved into it is then taken in pieces too).
 */
export function planWatchRoots (tree: ReadonlyMap<string, DirListing>, limit: number, start = '', startAlone = false): WatchRoot[][] {
  const sizes = subtreeSizes(tree, start)
  const roots: WatchRoot[] = []
  const stack = [start]
  while (stack.length > 0) {
    const dir = stack.pop()!
    const size = sizes.get(dir) ?? 0
    if (size <= limit && !(startAlone && dir === start)) {
      roots.push({ dir, recursive: true, size })
      continue
    }
    const listing = tree.get(dir)
    roots.push({ dir, recursive: false, size: listing?.entries ?? 0 })
    for (const sub of listing?.subdirs ?? []) stack.push(sub)
  }
  return [...pack(roots.filter(r => r.recursive), limit), ...pack(roots.filter(r => !r.recursive), limit)]
}

/** Entries at and below each directory, children before parents (no recursion: trees can be deep). */
function subtreeSizes (tree: ReadonlyMap<string, DirListing>, start: string): Map<string, number> {
  const order: string[] = []
  const stack = [start]
  while (stack.length > 0) {
    const dir = stack.pop()!
    order.push(dir)
    for (const sub of tree.get(dir)?.subdirs ?? []) stack.push(sub)
  }
  const sizes = new Map<string, number>()
  for (let i = order.length - 1; i >= 0; i--) {
    const dir = order[i]!
    const listing = tree.get(dir)
    let size = listing?.entries ?? 0
    for (const sub of listing?.subdirs ?? []) size += sizes.get(sub) ?? 0
    sizes.set(dir, size)
  }
  return sizes
}

function pack (roots: WatchRoot[], limit: number): WatchRoot[][] {
  const batches: WatchRoot[][] = []
  let batch: WatchRoot[] = []
  let size = 0
  for (const root of roots) {
    if (batch.length > 0 && size + root.size > limit) {
      batches.push(batch)
      batch = []
      size = 0
    }
    batch.push(root)
    size += root.size
  }
  if (batch.length > 0) batches.push(batch)
  return batches
}
