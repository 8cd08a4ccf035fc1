#!/usr/bin/env node
// Every file operation goes through libuv's threadpool (4 threads by default); one fsync holds a
// thread for milliseconds, so syncing many small files starved on it. The pool reads this
// variable when first used, which is after this line.
process.env.UV_THREADPOOL_SIZE ??= '16'
await import('./program.ts')
