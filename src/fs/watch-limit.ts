// The kernel's limit on inotify watches, and what to tell the user when a tree needs more. Pure
// apart from reading the limit.
import { readFileSync } from 'node:fs'

/** The system's limit (what the fix changes), and this user namespace's own (a container may set
 * it lower): the smaller one applies. */
export const WATCH_LIMIT_FILES = ['/proc/sys/fs/inotify/max_user_watches', '/proc/sys/user/max_inotify_watches']

/** The inotify watch limit that applies here, or undefined where there is none to read (not Linux). */
export function readWatchLimit (files = WATCH_LIMIT_FILES): number | undefined {
  let limit: number | undefined
  for (const file of files) {
    try {
      const n = Number(readFileSync(file, 'utf8').trim())
      if (Number.isSafeInteger(n) && n > 0) limit = Math.min(limit ?? n, n)
    } catch {}
  }
  return limit
}

/** A limit that leaves room for this tree twice over (it grows, other programs watch too). */
export function suggestedWatchLimit (limit: number | undefined, unwatched: number): number {
  const need = ((limit ?? 8192) + unwatched) * 2
  let n = 65536
  while (n < need) n *= 2
  return n
}

/** Errors of a watch that the kernel's limits refused (the directory stays unwatched). */
export function isWatchLimitError (err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code
  return code === 'ENOSPC' || code === 'EMFILE'
}

/** One line: what is not watched, what is done instead, and the fix. */
export function watchLimitMessage (o: { unwatched: number, limit: number | undefined, rescanSeconds: number }): string {
  const limit = o.limit == null ? 'the inotify watch limit' : `the inotify watch limit (fs.inotify.max_user_watches = ${o.limit})`
  return `${limit} is reached: ${o.unwatched} ${o.unwatched === 1 ? 'directory is' : 'directories are'} not watched, so the whole folder is rescanned every ${o.rescanSeconds} s instead; ` +
    `to watch them all, run: sudo sysctl fs.inotify.max_user_watches=${suggestedWatchLimit(o.limit, o.unwatched)} (and put it in /etc/sysctl.d/ to keep it)`
}
