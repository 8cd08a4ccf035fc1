// A burst of watcher events is counted in the client's own waiting paths: the hub's changes
// waiting in the same queue (a receiver catching up on a big tree) are not a burst, and the
// watcher's events of the files applied meanwhile are queued one by one rather than each
// starting another comparison of the whole tree (issue 20).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LocalChanges } from '../../src/client/local-changes.ts'
import { PathQueue } from '../../src/client/path-queue.ts'
import { IndexStore } from '../../src/index/index-store.ts'
import { LocalBlocks } from '../../src/client/local-blocks.ts'
import { dirIdentity } from '../../src/client/dir-monitor.ts'

function setup (): { local: LocalChanges, queue: PathQueue, close: () => void } {
  const base = mkdtempSync(join(tmpdir(), 'distsync-burst-'))
  const root = join(base, 'folder')
  mkdirSync(root)
  const index = new IndexStore(join(base, 'index.db'))
  const queue = new PathQueue(16, () => {})
  const ac = new AbortController()
  const local = new LocalChanges({
    root,
    dirId: dirIdentity(root),
    index,
    blocks: new LocalBlocks(root, index),
    queue,
    signal: ac.signal,
    channel: () => undefined,
    apply: async () => 'applied',
    fatal: err => { throw err },
    failed: () => {}
  })
  return { local, queue, close: () => { ac.abort(); index.close(); rmSync(base, { recursive: true, force: true }) } }
}

test('the hub\'s changes waiting in the queue do not turn watcher events into a comparison of the tree', async () => {
  const { local, queue, close } = setup()
  const gate = Promise.withResolvers<void>()
  try {
    // 6,000 remote changes queued, none finished (a receiver catching up)
    for (let i = 0; i < 6000; i++) queue.push(`remote/f${i}`, async () => { await gate.promise })
    assert.ok(queue.waiting > 4000)
    local.watched('tree/applied-file')
    assert.deepEqual(local.pendingPaths, ['tree/applied-file'], 'the event is queued as itself')
  } finally {
    gate.resolve()
    close()
  }
})

test('past 4,000 of its own waiting paths, the watcher\'s next events are left to a comparison', async () => {
  const { local, queue, close } = setup()
  const gate = Promise.withResolvers<void>()
  try {
    for (let i = 0; i < 16; i++) queue.push(`busy/f${i}`, async () => { await gate.promise })
    for (let i = 0; i < 4000; i++) local.watched(`tree/f${i}`)
    assert.equal(local.pendingPaths.length, 4000)
    local.watched('tree/one-more')
    assert.ok(!local.pendingPaths.includes('tree/one-more'), 'not queued one by one')
  } finally {
    gate.resolve()
    close()
  }
})
