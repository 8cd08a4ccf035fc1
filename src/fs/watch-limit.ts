// The kernel's limit on inotify watches, and what to tell the user when a tree needs more. Pure
// apart from reading the limit.
import { readFileSync } from 'node:fs'

export const WATCH_LIMIT_FILE = '/proc/sys/fs/inotify/max_user_watches'

/** fs.inotify.max_user_watches, or undefined where there is no such file (not Linux). */
export function readWatchLimit (file = WATCH_LIMIT_FILE): number | undefined {
  try {
    const n = Number(readFileSync(file, 'utf8').trim())
    return Number.isSafeInteger(n) && n > 0 ? n : undefined
  } catch {
    return undefined
  }
}

/** A limit that leaves room for this tree twice over (it grows, other programs watch too). */
export function suggestedWatchLimit (limit: number | undefined, unwatched: number): number {
  const need = ((limit ?? 8192) + unwatched) * 2
  let n = 65536
  while (n < need) n *= 2
  return n
}

/** One line: what is not watched, what is done instead, and the fix. */
export function watchLimitMessage (o: { watched: number, unwatched: number, limit: number | undefined, rescanSeconds: number }): string {
  const limit = o.limit == null ? 'the inotify watch limit' : `the inotify watch limit (fs.inotify.max_user_watches = ${o.limit})`
  return `${limit} is reached: ${o.unwatched} of ${o.watched + o.unwatched} directories are not watched and are rescanned every ${o.rescanSeconds} s instead; ` +
    `to watch them all, run: sudo sysctl fs.inotify.max_user_watches=${suggestedWatchLimit(o.limit, o.unwatched)} (and put it in /etc/sysctl.d/ to keep it)`
}
