// Conflict copy names, as Syncthing spells them: name.sync-conflict-YYYYMMDD-HHMMSS-<peer8>.ext
import { cutToBytes } from '../fs/safe-path.ts'
import { MAX_NAME_BYTES } from '../protocol/constants.ts'

/** What a path holds, as far as placing a conflict copy there goes. */
export type PathHolds = 'nothing' | 'this content' | 'other content'

/** Copies of one path that lost in the same second, from the same peer: more is a runaway loop. */
export const MAX_COPY_NUMBER = 1000

/**
 * `when` is the losing content's mtime, so every node derives the same name. `peer8` is the
 * last 8 characters of the loser's peer ID: Ed25519 peer IDs all begin "12D3KooW". `n` > 1 is
 * the n-th copy of that name ("-2" after the peer), for when the first is another content.
 */
export function conflictCopyPath (path: string, mtimeNs: bigint, peerId: string, n = 1): string {
  const slash = path.lastIndexOf('/')
  const dir = path.slice(0, slash + 1)
  const name = path.slice(slash + 1)
  // the extension is the last dot-suffix, but a leading dot (".bashrc") starts the name, not an extension
  const dot = name.lastIndexOf('.')
  let [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, '']
  // floor, not bigint division's truncation toward zero: -1 ns is still 1969
  const ms = mtimeNs / 1_000_000n - (mtimeNs % 1_000_000n < 0n ? 1n : 0n)
  const d = new Date(Number(ms))
  const p2 = (n: number): string => String(n).padStart(2, '0')
  const stamp = `${d.getUTCFullYear()}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}-${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}${p2(d.getUTCSeconds())}`
  const peer8 = peerId.slice(-8)
  const tag = `.sync-conflict-${stamp}-${peer8}${n > 1 ? `-${n}` : ''}`
  // a long name is cut (stem first) so the copy stays within NAME_MAX
  if (Buffer.byteLength(tag + ext) > MAX_NAME_BYTES / 2) ext = ''
  return `${dir}${cutToBytes(stem, MAX_NAME_BYTES - Buffer.byteLength(tag + ext))}${tag}${ext}`
}

/**
 * The first conflict copy name that does not replace something else: two losers of one path in
 * the same second from the same peer (or a user's own file of that name) would otherwise be
 * overwritten by the newer copy. A name that already holds this very content is reused, so a
 * repeated decision makes no second copy. Undefined when all MAX_COPY_NUMBER names are taken.
 */
export function freeConflictCopyPath (path: string, mtimeNs: bigint, peerId: string, holds: (candidate: string) => PathHolds): string | undefined {
  for (let n = 1; n <= MAX_COPY_NUMBER; n++) {
    const candidate = conflictCopyPath(path, mtimeNs, peerId, n)
    if (holds(candidate) !== 'other content') return candidate
  }
  return undefined
}

/** What a conflict copy's name says: the path it is a copy of, when that version was written
 * (UTC, to the second) and the last 8 characters of the peer that wrote it. */
export interface ConflictCopyName { original: string, stamp: Date, peer8: string, n: number }

const COPY_NAME = /^(.*)\.sync-conflict-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-([1-9A-HJ-NP-Za-km-z]{8})(?:-(\d+))?(\.[^./]*)?$/

/** The inverse of conflictCopyPath; undefined for a name that is no conflict copy. */
export function parseConflictCopy (path: string): ConflictCopyName | undefined {
  const slash = path.lastIndexOf('/')
  const m = COPY_NAME.exec(path.slice(slash + 1))
  if (m == null || m[1] === '') return undefined
  const [y, mo, d, h, mi, s] = m.slice(2, 8).map(Number) as [number, number, number, number, number, number]
  const stamp = new Date(Date.UTC(y, mo - 1, d, h, mi, s))
  if (Number.isNaN(stamp.getTime())) return undefined
  return { original: `${path.slice(0, slash + 1)}${m[1]!}${m[10] ?? ''}`, stamp, peer8: m[8]!, n: m[9] != null ? Number(m[9]) : 1 }
}
