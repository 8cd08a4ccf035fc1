// The paths of held-back remote changes, found from a local path that changed. A change is held
// for its own path (a deletion here not proposed yet), for a parent (still a file or a link) or
// for what is below it (a directory still holding something): a change at the path, at one of
// its parents or below it may have cleared the way.

/** 'a/b/c' -> ['a', 'a/b'] */
export function parentsOf (path: string): string[] {
  const out: string[] = []
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) out.push(path.slice(0, i))
  return out
}

export class HeldPaths {
  /** path -> keys held at it */
  readonly #at = new Map<string, Set<string>>()
  /** directory -> keys held below it (one set per parent of each held path) */
  readonly #below = new Map<string, Set<string>>()

  get size (): number { return this.#at.size }

  add (path: string, key: string): void {
    addTo(this.#at, path, key)
    for (const dir of parentsOf(path)) addTo(this.#below, dir, key)
  }

  delete (path: string, key: string): void {
    deleteFrom(this.#at, path, key)
    for (const dir of parentsOf(path)) deleteFrom(this.#below, dir, key)
  }

  /** The keys held at `path`, at one of its parents, or below it. */
  related (path: string): string[] {
    const out = new Set<string>([...this.#at.get(path) ?? [], ...this.#below.get(path) ?? []])
    for (const dir of parentsOf(path)) for (const key of this.#at.get(dir) ?? []) out.add(key)
    return [...out]
  }

  clear (): void {
    this.#at.clear()
    this.#below.clear()
  }
}

function addTo (map: Map<string, Set<string>>, path: string, key: string): void {
  let keys = map.get(path)
  if (keys == null) map.set(path, keys = new Set())
  keys.add(key)
}

function deleteFrom (map: Map<string, Set<string>>, path: string, key: string): void {
  const keys = map.get(path)
  if (keys == null) return
  keys.delete(key)
  if (keys.size === 0) map.delete(path)
}
