// Pure checks on relative paths that come from the network or from a directory walk.
import { MAX_NAME_BYTES, MAX_PATH_BYTES } from '../protocol/constants.ts'

/** distsync's own names: never synced, never written by a remote change. */
export const STATE_DIR = '.distsync'
export const TEMP_PREFIX = '.distsync-tmp-'

export class PathError extends Error {
  override name = 'PathError'
  readonly code: string
  constructor (code: string, message: string) {
    super(message)
    this.code = code
  }
}

/** True for names distsync keeps to itself (state folder at the root, temp files anywhere). */
export function isReservedName (name: string, atRoot: boolean): boolean {
  return name.startsWith(TEMP_PREFIX) || (atRoot && name === STATE_DIR)
}

/**
 * Returns the path in NFC if it is a safe relative POSIX path inside the synced directory;
 * throws PathError otherwise. Safe: non-empty, relative, no '.' or '..' or empty components,
 * no NUL or backslash, bounded length, not one of distsync's own names.
 */
export function checkRelativePath (raw: string): string {
  if (typeof raw !== 'string' || raw.length === 0) throw new PathError('ERR_EMPTY_PATH', 'empty path')
  if (raw.includes('\0')) throw new PathError('ERR_NUL_IN_PATH', `path contains NUL: ${JSON.stringify(raw)}`)
  // a backslash is a separator on Windows peers: refusing it keeps "a\..\..\x" from meaning anything
  if (raw.includes('\\')) throw new PathError('ERR_BACKSLASH_IN_PATH', `path contains a backslash: ${JSON.stringify(raw)}`)
  const path = raw.normalize('NFC')
  if (path.startsWith('/')) throw new PathError('ERR_ABSOLUTE_PATH', `absolute path: ${JSON.stringify(raw)}`)
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) throw new PathError('ERR_PATH_TOO_LONG', `path longer than ${MAX_PATH_BYTES} bytes`)
  const parts = path.split('/')
  parts.forEach((part, i) => {
    if (part === '' || part === '.' || part === '..') throw new PathError('ERR_PATH_TRAVERSAL', `bad path component ${JSON.stringify(part)} in ${JSON.stringify(raw)}`)
    if (Buffer.byteLength(part) > MAX_NAME_BYTES) throw new PathError('ERR_NAME_TOO_LONG', `name longer than ${MAX_NAME_BYTES} bytes in ${JSON.stringify(raw)}`)
    if (isReservedName(part, i === 0)) throw new PathError('ERR_RESERVED_PATH', `path is reserved for distsync: ${JSON.stringify(raw)}`)
  })
  return path
}

export function parentOf (path: string): string {
  const i = path.lastIndexOf('/')
  return i < 0 ? '' : path.slice(0, i)
}

/** The longest prefix of `s` of at most `max` UTF-8 bytes that ends between characters. */
export function cutToBytes (s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s
  let out = ''
  let bytes = 0
  for (const ch of s) {
    const n = Buffer.byteLength(ch)
    if (bytes + n > max) break
    out += ch
    bytes += n
  }
  return out
}
