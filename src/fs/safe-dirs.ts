// Creating parent directories without ever writing through a symlink.
import { lstatSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { PathError } from './safe-path.ts'

/**
 * Makes sure every component of `relDir` under `root` is a real directory, creating what is
 * missing. A symlink or a file on the way is refused: following it could write outside root.
 * The calls are synchronous (see localStatSync in local-stat.ts).
 */
export async function ensureDir (root: string, relDir: string): Promise<void> {
  if (relDir === '') return
  let abs = root
  for (const part of relDir.split('/')) {
    abs = join(abs, part)
    try {
      const st = lstatSync(abs)
      if (st.isSymbolicLink()) throw new PathError('ERR_SYMLINK_IN_PATH', `refusing to write through the symlink ${relDir}`)
      if (!st.isDirectory()) throw new PathError('ERR_NOT_A_DIR', `${relDir}: a file is in the way`)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      try {
        mkdirSync(abs)
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      }
    }
  }
}
