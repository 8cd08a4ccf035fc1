// Files and bytes of local paths waiting to be proposed, as the disk has them now.
import { lstatSync } from 'node:fs'
import { join } from 'node:path'
import type { Amount } from './status-board.ts'

/** Past this many paths the bytes are not summed (a status request must stay cheap). */
const MAX_STATS = 10_000

export function pendingAmount (root: string, paths: string[]): Amount {
  let bytes = 0
  for (const path of paths.slice(0, MAX_STATS)) {
    const st = lstatSync(join(root, path), { throwIfNoEntry: false })
    if (st?.isFile() === true) bytes += st.size
  }
  return { files: paths.length, bytes }
}
