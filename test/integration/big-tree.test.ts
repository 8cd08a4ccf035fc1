// A tree moved into a folder at once (issue 20), small: more files than the client queues one by
// one, so the watcher's burst is handed to a comparison of the tree, and every file still arrives.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdir, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { cluster, converged, tempDir, rm, waitFor } from './harness.ts'
import { generateTree } from '../../scripts/bench/big-tree.ts'

test('6,000 files moved in at once all arrive; the burst past the queue is found by a comparison', async () => {
  const c = await cluster(2)
  const stage = await tempDir('stage')
  try {
    const [a, b] = c.dirs as [string, string]
    await generateTree(join(stage, 'tree'), 6000, 300)
    await rename(join(stage, 'tree'), join(a, 'tree'))
    // counted first, once a second: comparing two trees of 6,000 files ten times a second would
    // take the CPU the clients need
    const files = async (): Promise<number> => (await readdir(join(b, 'tree'), { recursive: true, withFileTypes: true }).catch(() => [])).filter(d => d.isFile()).length
    await waitFor('B to hold 6,000 files', async () => await files() >= 6000, 240_000, 1000)
    await converged([a, b], 60_000)
    assert.match(c.clients[0]!.stderr(), /many changes at once: comparing the tree/)
  } finally {
    await c.close()
    await rm(stage, { recursive: true, force: true })
  }
})
