// A tree moved into a folder at once (issue 20), small: more files than the client queues one by
// one, so the watcher's burst is handed to a comparison of the tree, and every file still arrives.
// Moved in at the top, a tree is watched in pieces (watch-plan.ts) and compared once. Restarted
// on both, a client watches them in pieces: what changes anywhere in them afterwards, in
// directories made after the start too, still arrives.
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
    // into a directory watched with its subtree: chokidar reports every file
    await mkdir(join(a, 'inner'))
    await waitFor('inner/ on B', async () => await readdir(b).then(n => n.includes('inner')), 30_000)
    await generateTree(join(stage, 'tree'), 6000, 300)
    await rename(join(stage, 'tree'), join(a, 'inner', 'tree'))
    // counted first, once a second: comparing two trees of 6,000 files ten times a second would
    // take the CPU the clients need
    const files = async (dir: string): Promise<number> => (await readdir(join(b, dir), { recursive: true, withFileTypes: true }).catch(() => [])).filter(d => d.isFile()).length
    await waitFor('B to hold 6,000 files', async () => await files('inner/tree') >= 6000, 240_000, 1000)
    await converged([a, b], 60_000)
    assert.match(c.clients[0]!.stderr(), /many changes at once: comparing the tree/)
    // at the top, bigger than one piece: watched in pieces, then compared once
    await generateTree(join(stage, 'top'), 2500, 60)
    await rename(join(stage, 'top'), join(a, 'top'))
    await waitFor('B to hold 2,500 more files', async () => await files('top') >= 2500, 240_000, 1000)
    await converged([a, b], 60_000)
    assert.match(c.clients[0]!.stderr(), /"dir":"top".*"msg":"compared a tree moved in"/)

    // B again on both: the folder, inner/, inner/tree/ and top/ are watched without their
    // subtrees, the directories below with theirs; a directory made later in one is watched once
    // chokidar reports it
    await c.clients[1]!.stop()
    restarted = startClient(c.hub.addr, b)
    await waitFor('B to watch the folder', () => restarted!.stderr().includes('watching the folder'), 60_000)
    await mkdir(join(b, 'inner', 'tree', 'new'))
    await writeFile(join(b, 'inner', 'tree', 'new', 'at-once'), 'written as the directory was made')
    await writeFile(join(b, 'inner', 'tree', 'd3', 'added'), 'in a directory watched with its subtree')
    await mkdir(join(b, 'top', 'new'))
    await mkdir(join(b, 'new'))
    // past the look into the new directories their events cause: only a watch there sees these
    await sleep(3000)
    const later = ['inner/tree/new', 'top/new', 'new']
    for (const dir of later) await writeFile(join(b, dir, 'later'), 'written once the directory was watched')
    await waitFor('the later files on A', async () => (await Promise.all(later.map(async d => await readdir(join(a, d)).then(n => n.includes('later'), () => false)))).every(Boolean), 30_000, 500)
    await converged([a, b], 60_000)
  } finally {
    await restarted?.stop()
    await c.close()
    await rm(stage, { recursive: true, force: true })
  }
})
