// Behaviours 7 and 8 of issue 2: the directory monitor and the hub monitor.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile, readFile, rm, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { clientReady, cluster, converged, freePort, hubStatus, sleep, startClient, startHub, tempDir, tree, waitFor } from './harness.ts'

test('a removed directory stops its client with code 4 and deletes nothing elsewhere', async () => {
  const c = await cluster(2)
  try {
    const [a, b] = c.dirs as [string, string]
    // enough files that `rm -rf` takes a while: its unlinks must not read as deletions
    for (let d = 0; d < 10; d++) {
      await mkdir(join(a, `d${d}`))
      await Promise.all(Array.from({ length: 30 }, async (_, i) => { await writeFile(join(a, `d${d}`, `f${i}.txt`), `file ${d}/${i}`) }))
    }
    await converged(c.dirs, 60000)
    await sleep(1500)
    const before = await hubStatus(c.hub.dataDir)
    const treeBefore = await tree(a)
    const removedAt = Date.now()
    await rm(b, { recursive: true })
    const code = await Promise.race([c.clients[1]!.exited, sleep(5000).then(() => -1)])
    assert.equal(code, 4, 'exit code 4 within 5 s')
    assert.match(c.clients[1]!.stderr(), /distsync: directory .* was removed/)
    assert.ok(Date.now() - removedAt < 5000)
    await sleep(2500)
    assert.deepEqual(await tree(a), treeBefore, 'nothing deleted on the other client')
    assert.equal((await hubStatus(c.hub.dataDir)).headSeq, before.headSeq, 'nothing reached the journal')
  } finally {
    await c.close()
  }
})

test('when the hub dies, clients retry for the grace period and exit 3', async () => {
  const hub = await startHub()
  const dir = await tempDir('orphan')
  try {
    const client = startClient(hub.addr, dir, ['--hub-grace', '2'])
    await clientReady(client)
    await hub.kill()
    const code = await Promise.race([client.exited, sleep(15000).then(() => -1)])
    assert.equal(code, 3)
    assert.match(client.stderr(), /distsync: lost the hub for more than 2 s/)
  } finally {
    await Promise.all([dir, hub.dataDir].map(async x => await rm(x, { recursive: true, force: true })))
  }
})

test('a hub that comes back within the grace period: clients resume and converge without a restart', async () => {
  const port = await freePort()
  let hub = await startHub({ port })
  const dataDir = hub.dataDir
  const [a, b] = await Promise.all([tempDir('a'), tempDir('b')])
  const clients = [startClient(hub.addr, a, ['--hub-grace', '30']), startClient(hub.addr, b, ['--hub-grace', '30'])]
  try {
    await Promise.all(clients.map(clientReady))
    await writeFile(join(a, 'before.txt'), 'before')
    await converged([a, b])
    await hub.kill()
    await sleep(1000)
    await writeFile(join(a, 'during.txt'), 'written while the hub was down')
    hub = await startHub({ port, dataDir })
    await waitFor('both clients to reconnect', () => clients.every(c => c.stderr().includes('reconnected to the hub')), 20000)
    await writeFile(join(b, 'after.txt'), 'after')
    await converged([a, b])
    assert.equal(await readFile(join(b, 'during.txt'), 'utf8'), 'written while the hub was down')
    assert.ok(clients.every(c => c.child.exitCode == null), 'no client exited')
  } finally {
    await Promise.all(clients.map(async c => await c.stop()))
    await hub.stop()
    await Promise.all([a, b, dataDir].map(async x => await rm(x, { recursive: true, force: true })))
  }
})
