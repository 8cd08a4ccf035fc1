// Creating parent directories without ever writing through a symlink.
import { lstat, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { PathError } from './safe-path.ts'

/**
 * Makes sure every component of `relDir` under `root` is a real directory, creating what is
 * missing. A symlink or a file on the way is refused: following it could write outside root.
 */
export async function ensureDir (root: string, relDir: string): Promise<void> {
  if (relDir === '') return
  let abs = root
  for (const part of relDir.split('/')) {
    abs = join(abs, part)
    try {
      const st = await lstat(abs)
      if (st.isSymbolicLink()) throw new PathError('ERR_SYMLINK_IN_PATH', `refusing to write through the symlink ${relDir}`)
      if (!st.isDirectory()) throw new PathError('ERR_NOT_A_DIR', `${relDir}: a file is in the way`)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      await mkdir(abs).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'EEXIST') throw e })
    }
  }
}
