// Behaviours 5 and 6 of issue 2: the hub holds the point of truth; stopped clients catch up.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile, readFile, rm, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { clientReady, cluster, converged, freePort, sleep, startClient, startHub, tempDir, tree } from './harness.ts'

test('a client that joins later gets every file while the writer is offline, also after a hub restart', async () => {
  const port = await freePort()
  let hub = await startHub({ port })
  const dataDir = hub.dataDir
  const [a, c, d] = await Promise.all([tempDir('a'), tempDir('c'), tempDir('d')])
  try {
    await mkdir(join(a, 'sub'))
    await writeFile(join(a, 'sub/one.txt'), 'one')
    await writeFile(join(a, 'two.txt'), 'two')
    const writer = startClient(hub.addr, a)
    await clientReady(writer)
    await sleep(1500)
    assert.equal(await writer.stop(), 0)

    const late = startClient(hub.addr, c)
    await clientReady(late)
    await converged([a, c])
    assert.equal(await late.stop(), 0)

    assert.equal(await hub.stop(), 0)
    hub = await startHub({ port, dataDir })
    const later = startClient(hub.addr, d)
    await clientReady(later)
    await converged([a, d])
    assert.equal(await readFile(join(d, 'sub/one.txt'), 'utf8'), 'one')
    await later.stop()
  } finally {
    await hub.stop()
    await Promise.all([a, c, d, dataDir].map(async x => await rm(x, { recursive: true, force: true })))
  }
})

test('edits and deletions made while a client was stopped reach the others when it starts', async () => {
  const c = await cluster(2)
  try {
    const [a, b] = c.dirs as [string, string]
    await writeFile(join(a, 'keep.txt'), 'v1')
    await writeFile(join(a, 'drop.txt'), 'bye')
    await converged(c.dirs)
    assert.equal(await c.clients[1]!.stop(), 0)
    await writeFile(join(b, 'keep.txt'), 'v2, offline edit')
    await rm(join(b, 'drop.txt'))
    await writeFile(join(b, 'new.txt'), 'made offline')
    await writeFile(join(a, 'while-away.txt'), 'for b')
    c.clients[1] = startClient(c.hub.addr, b)
    await clientReady(c.clients[1])
    await converged(c.dirs)
    const t = await tree(a)
    assert.ok(!t.has('drop.txt'))
    assert.equal(await readFile(join(a, 'keep.txt'), 'utf8'), 'v2, offline edit')
    assert.equal(await readFile(join(a, 'new.txt'), 'utf8'), 'made offline')
    assert.equal(await readFile(join(b, 'while-away.txt'), 'utf8'), 'for b')
  } finally {
    await c.close()
  }
})
