// A tree moved into a folder at once (issue 20), small: more files than the client queues one by
// one, so the watcher's burst is handed to a comparison of the tree, and every file still arrives.
// Restarted on it, a client watches the tree in pieces (watch-plan.ts): what changes anywhere in
// it afterwards, in directories made after the start too, still arrives.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { cluster, converged, tempDir, rm, sleep, startClient, waitFor, type Proc } from './harness.ts'
import { generateTree } from '../../scripts/bench/big-tree.ts'

test('6,000 files moved in at once all arrive; the burst past the queue is found by a comparison; restarted, the client watches all of it', async () => {
  const c = await cluster(2)
  const stage = await tempDir('stage')
  let restarted: Proc | undefined
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

    // B again on the 6,000 files: the folder and tree/ are watched without their subtrees, each
    // d<n>/ with its own; a directory made later in either is watched once chokidar reports it
    await c.clients[1]!.stop()
    restarted = startClient(c.hub.addr, b)
    await waitFor('B to watch the folder', () => restarted!.stderr().includes('watching the folder'), 60_000)
    await mkdir(join(b, 'tree', 'new'))
    await writeFile(join(b, 'tree', 'new', 'at-once'), 'written as the directory was made')
    await writeFile(join(b, 'tree', 'd3', 'added'), 'in a directory watched with its subtree')
    await mkdir(join(b, 'top'))
    // past the look into the new directories their events cause: only a watch there sees these
    await sleep(3000)
    await writeFile(join(b, 'tree', 'new', 'later'), 'written once the directory was watched')
    await writeFile(join(b, 'top', 'later'), 'in a directory made at the top')
    await waitFor('the later files on A', async () => (await Promise.all(['tree/new/later', 'top/later'].map(async f => await readdir(join(a, f, '..')).then(n => n.includes('later'), () => false)))).every(Boolean), 30_000, 500)
    await converged([a, b], 60_000)
  } finally {
    await restarted?.stop()
    await c.close()
    await rm(stage, { recursive: true, force: true })
  }
})
