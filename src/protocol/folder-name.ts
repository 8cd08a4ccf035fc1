// Folder names: chosen by users, carried in Hello, and used by the hub as a directory name for
// the folder's journal, so they are restricted to a portable, path-safe alphabet.
import { ProtocolError } from './errors.ts'

export const DEFAULT_FOLDER = 'default'
const FOLDER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

export function isFolderName (name: string): boolean {
  return FOLDER_NAME.test(name)
}

/** Throws ProtocolError unless `name` is 1-64 of letters, digits, '.', '_', '-', not starting with a symbol. */
export function checkFolderName (name: string): string {
  if (!isFolderName(name)) throw new ProtocolError('ERR_BAD_FOLDER', `folder name ${JSON.stringify(name.slice(0, 80))} is not 1-64 letters, digits, '.', '_' or '-' (starting with a letter or digit)`)
  return name
}
