#!/usr/bin/env node
import * as nodeModule from 'node:module'
import { inlineLstat } from '../fs/inline-lstat.ts'

// Runtime settings that must be in place before Node sets itself up, so the entry re-executes
// itself once with them (execve: same PID, nothing left behind):
// - a young generation of 1 MiB: every chunk in flight is short-lived garbage, and the default
//   (up to 16 MiB per semi-space) kept ~70 MB more resident during a large transfer, at no gain
//   in speed (measured: peak RSS 200 -> 130-150 MB on a 256 MiB file);
// - the old generation grows by 50% at a time rather than by V8's own factor (up to 4x): a client
//   sending 3000 small files peaked at 305 MB without it, ~140 MB with it. 10% held 126 MB but
//   had V8 mark the whole heap for every ~0.5 MB promoted (67 full GCs on the hub for one 256 MiB
//   file, which took 6.3 s instead of 5.1 s); 100% reached 156 MB. (--optimize-for-size held
//   memory as well but cost 35% of the time: 12.9 s against 10.9 s.)
// - buffers count toward that growth too (--external-memory-accounted-in-global-limit): by
//   default V8 let up to 64 MB of dead chunk buffers wait for a GC. A receiving client reached
//   148-154 MB on a 4 GiB file with 20 MB of live heap; with the flag 134-137 MB, and a 256 MiB
//   transfer took 3.7-4.0 s instead of 4.2-4.5 (hub CPU 2.4-2.6 s instead of 2.8-3.1).
// - glibc's malloc keeps at most two arenas (MALLOC_ARENA_MAX, read at process start): with one
//   per thread, memory freed by one thread's arena stayed resident while another grew. Hub peak
//   RSS on a 256 MiB file 122-147 MB -> 128-129; a receiving client on 4 GiB 140-150 -> 128 MB;
//   same speed.
// (libuv's pool keeps its default 4 threads. It had 16 while every file operation went through
// it; with metadata calls synchronous, 4 and 16 measured the same on small files, a large file and
// applied changes.)
// node:sqlite, process.execve and the rest need this Node; an older one failed with "No such
// built-in module: node:sqlite". Checked before anything that needs them is loaded.
const NODE_MIN = [22, 22] as const
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)
if (major < NODE_MIN[0] || (major === NODE_MIN[0] && minor < NODE_MIN[1])) {
  process.stderr.write(`distsync needs Node.js ${NODE_MIN.join('.')} or newer, and ${process.execPath} is ${process.version}: run it as npm run -s distsync -- <command> in its folder, which uses the Node the project installs\n`)
  process.exit(2)
}
const V8_FLAGS = ['--max-semi-space-size=1', '--heap-growing-percent=50', '--external-memory-accounted-in-global-limit']
if (!process.execArgv.includes(V8_FLAGS[0]!) && typeof process.execve === 'function' && process.env.DISTSYNC_NO_REEXEC == null) {
  process.execve(process.execPath, [process.execPath, ...V8_FLAGS, ...process.execArgv, ...process.argv.slice(1)], { MALLOC_ARENA_MAX: '2', ...process.env })
}
// V8's compiled code kept on disk (os.tmpdir()/node-compile-cache, or NODE_COMPILE_CACHE): a start
// no longer compiles the whole module graph again (docs/design-notes.md, issue 20). Quiet if it
// cannot.
;(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.()
// before chokidar is loaded (src/fs/inline-lstat.ts)
inlineLstat()
await import('./program.ts')
