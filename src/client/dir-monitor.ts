// Watches that the synced directory itself still exists and is the same directory: a removed or
// unmounted directory must stop the client, never read as "every file was deleted".
import { stat } from 'node:fs/promises'
import { statSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'

export class DirGoneError extends Error {
  override name = 'DirGoneError'
  readonly code = 'ERR_DIR_GONE'
}

export interface DirIdentity { dev: bigint, ino: bigint }

export function dirIdentity (dir: string): DirIdentity {
  let st
  try {
    st = statSync(dir, { bigint: true })
  } catch {
    throw new DirGoneError(`directory ${dir} does not exist`)
  }
  if (!st.isDirectory()) throw new DirGoneError(`${dir} is not a directory`)
  return { dev: st.dev, ino: st.ino }
}

/** Throws DirGoneError if dir is no longer the directory it was. */
export async function checkDir (dir: string, id: DirIdentity): Promise<void> {
  const st = await stat(dir, { bigint: true }).catch(() => null)
  if (st == null) throw new DirGoneError(`directory ${dir} was removed`)
  if (!st.isDirectory() || st.dev !== id.dev || st.ino !== id.ino) throw new DirGoneError(`directory ${dir} was replaced or unmounted`)
}

/** Polls until the directory goes; rejects with DirGoneError then. */
export async function watchDir (dir: string, id: DirIdentity, intervalMs: number, signal: AbortSignal): Promise<never> {
  while (true) {
    await sleep(intervalMs, undefined, { signal })
    await checkDir(dir, id)
  }
}
