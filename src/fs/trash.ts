// The state folder's trash: where a file goes when a remote change deletes or replaces it.
// A rename there, not a copy: cheap, and a rename's add then finds its chunks locally.
import { mkdir, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { STATE_DIR, cutToBytes } from './safe-path.ts'
import { linkInFolder, renameInFolder } from './folder-boundary.ts'
import { MAX_NAME_BYTES } from '../protocol/constants.ts'

export const TRASH_DIR = `${STATE_DIR}/trash`
const KEEP_MS = 7 * 24 * 3600 * 1000

/** `<ms>-<hex>-<basename>`, the basename cut (at a character) to keep the name within NAME_MAX. */
export function trashName (relPath: string, now = Date.now()): string {
  const prefix = `${now}-${randomBytes(3).toString('hex')}-`
  return `${TRASH_DIR}/${prefix}${cutToBytes(relPath.slice(relPath.lastIndexOf('/') + 1), MAX_NAME_BYTES - prefix.length)}`
}


/** Moves a path into the trash; returns its new path relative to root. */
export async function moveToTrash (root: string, relPath: string): Promise<string> {
  await mkdir(join(root, TRASH_DIR), { recursive: true })
  const to = trashName(relPath)
  renameInFolder(join(root, relPath), join(root, to))
  return to
}

/** Keeps a second name for a file in the trash, so the rename that replaces it loses nothing. */
export async function linkToTrash (root: string, relPath: string): Promise<string> {
  await mkdir(join(root, TRASH_DIR), { recursive: true })
  const to = trashName(relPath)
  linkInFolder(join(root, relPath), join(root, to))
  return to
}

/** Removes trash older than a week; returns the relative paths removed. */
export async function pruneTrash (root: string, now = Date.now()): Promise<string[]> {
  const removed: string[] = []
  let names: string[]
  try {
    names = await readdir(join(root, TRASH_DIR))
  } catch {
    return removed
  }
  for (const name of names) {
    const rel = `${TRASH_DIR}/${name}`
    // the name starts with the time it was trashed; the file's own mtime is its content's
    const trashedAt = Number(name.slice(0, name.indexOf('-')))
    if (Number.isFinite(trashedAt) && now - trashedAt > KEEP_MS) {
      await rm(join(root, rel), { recursive: true, force: true })
      removed.push(rel)
    }
  }
  return removed
}
