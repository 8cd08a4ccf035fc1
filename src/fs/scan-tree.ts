// Walks the synced directory, skipping distsync's own names and never following symlinks.
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { isReservedName, TEMP_PREFIX } from './safe-path.ts'

/** Yields relative paths, parents before children; `onTemp` gets leftover temp files. */
export async function * scanTree (root: string, signal: AbortSignal, onTemp?: (rel: string) => void, rel = ''): AsyncGenerator<string> {
  let names
  try {
    names = await readdir(rel === '' ? root : join(root, rel), { withFileTypes: true })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return
    throw err
  }
  for (const d of names) {
    signal.throwIfAborted()
    const path = rel === '' ? d.name : `${rel}/${d.name}`
    if (isReservedName(d.name, rel === '')) {
      if (d.name.startsWith(TEMP_PREFIX)) onTemp?.(path)
      continue
    }
    yield path
    if (d.isDirectory()) yield * scanTree(root, signal, onTemp, path)
  }
}
