// chokidar and readdirp lstat every path they report through fs/promises: a hand-off to a pool
// thread and back, which here costs ~50 µs of CPU and two thread wakeups, against 1-2 µs for the
// same call made inline (see local-stat.ts). A client receiving 3000 files answers 3000 watcher
// events, one lstat each. This makes fs/promises' lstat run inline for the whole process: same
// arguments, same result, errors as rejections; only the thread it runs on changes.
import fsPromises from 'node:fs/promises'
import { lstatSync } from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'

export function inlineLstat (): void {
  fsPromises.lstat = (async (path: Parameters<typeof lstatSync>[0], options?: { bigint?: boolean }) => lstatSync(path, options)) as typeof fsPromises.lstat
  // modules that import { lstat } from 'node:fs/promises' read the ESM binding, not this object
  syncBuiltinESMExports()
}
