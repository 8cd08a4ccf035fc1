#!/usr/bin/env node
// Runtime settings that must be in place before Node sets itself up, so the entry re-executes
// itself once with them (execve: same PID, nothing left behind):
// - a young generation of 1 MiB: every chunk in flight is short-lived garbage, and the default
//   (up to 16 MiB per semi-space) kept ~70 MB more resident during a large transfer, at no gain
//   in speed (measured: peak RSS 200 -> 130-150 MB on a 256 MiB file);
// - 16 threadpool threads: every file operation goes through it, and one fsync holds a thread
//   for milliseconds; 4 threads starved many-small-file syncs.
const SEMI_SPACE = '--max-semi-space-size=1'
if (!process.execArgv.includes(SEMI_SPACE) && typeof process.execve === 'function' && process.env.DISTSYNC_NO_REEXEC == null) {
  process.execve(process.execPath, [process.execPath, SEMI_SPACE, ...process.execArgv, ...process.argv.slice(1)], {
    UV_THREADPOOL_SIZE: '16',
    ...process.env
  })
}
await import('./program.ts')
