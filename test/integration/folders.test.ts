// Folders (issue 19): one hub serves several named folders, each with its own journal and
// members. Real hub and client processes; members are given in a config file as a user would.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { multiaddr } from '@multiformats/multiaddr'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { lpStream } from '@libp2p/utils'
import { createNode } from '../../src/net/node.ts'
import { fetchBlocks } from '../../src/net/block-transfer.ts'
import { readChunks } from '../../src/fs/read-chunks.ts'
import { INLINE_FILE_MAX, MAX_SYNC_FRAME, SYNC_PROTOCOL } from '../../src/protocol/constants.ts'
import { decodeHubMessage, encodeClientMessage } from '../../src/protocol/codec.ts'
import { clientReady, converged, hubStatus, run, sleep, startClient, startHub, tempDir, tree, waitFor } from './harness.ts'

async function peerId (dir: string): Promise<string> {
  const p = run(['id', '--identity', join(dir, '.distsync/identity.key')])
  assert.equal(await p.exited, 0)
  return p.stdout().trim()
}

test('two folders on one hub stay separate, and a non-member of one can neither join it nor tell it exists', async () => {
  const [docs1, docs2, photos1, photos2, outsider, conf] = await Promise.all(['docs1', 'docs2', 'photos1', 'photos2', 'outsider', 'conf'].map(async l => await tempDir(l))) as [string, string, string, string, string, string]
  // docs1 and docs2 are members of "docs" only (config); photos1 and photos2 of every folder (--allow)
  const [d1, d2, p1, p2] = await Promise.all([docs1, docs2, photos1, photos2].map(peerId)) as [string, string, string, string]
  const config = join(conf, 'hub.json')
  await writeFile(config, JSON.stringify({ hub: { folders: { docs: { allow: [d1, d2] } } } }))
  const hub = await startHub({ args: ['--config', config, '--allow', p1, '--allow', p2] })
  const clients = [
    startClient(hub.addr, docs1, ['--folder', 'docs']),
    startClient(hub.addr, docs2, ['--folder', 'docs']),
    startClient(hub.addr, photos1, ['--folder', 'photos']),
    startClient(hub.addr, photos2, ['--folder', 'photos'])
  ]
  try {
    await Promise.all(clients.map(clientReady))
    await writeFile(join(docs1, 'report.txt'), 'docs only')
    await writeFile(join(photos1, 'cat.jpg'), 'photos only')
    await converged([docs1, docs2])
    await converged([photos1, photos2])
    await waitFor('both folders to have their file', async () => (await tree(docs2)).has('report.txt') && (await tree(photos2)).has('cat.jpg'), 30000)
    // a settle period: nothing crosses over later either
    await sleep(1000)
    assert.deepEqual([...(await tree(docs2)).keys()], ['report.txt'])
    assert.deepEqual([...(await tree(photos2)).keys()], ['cat.jpg'])

    // docs1's identity is a member of "docs" only: "photos" and a folder that does not exist get
    // the same answer, and the client exits 5 with one line
    const answers: string[] = []
    for (const folder of ['photos', 'nosuchfolder']) {
      const dir = await tempDir(`try-${folder}`)
      const trying = startClient(hub.addr, dir, ['--folder', folder, '--identity', join(docs1, '.distsync/identity.key')])
      const code = await Promise.race([trying.exited, sleep(30000, undefined, { ref: false }).then(() => -1)])
      assert.equal(code, 5, `joining ${folder}: ${trying.stderr()}`)
      const lines = trying.stderr().split('\n').filter(l => l.startsWith('distsync: ') && !l.includes(' syncing '))
      assert.equal(lines.length, 1, trying.stderr())
      answers.push(lines[0]!.replace(folder, 'FOLDER'))
      assert.deepEqual((await tree(dir)).size, 0, 'nothing arrived')
      await rm(dir, { recursive: true, force: true })
    }
    assert.match(answers[0]!, /not a member/)
    assert.equal(answers[0], answers[1], 'an existing folder and a missing one look the same to a non-member')
    assert.deepEqual([...(await tree(photos1)).keys()], ['cat.jpg'], 'the refused client changed nothing in photos')

    // a stranger (no folder) is refused before any protocol runs
    const stranger = startClient(hub.addr, outsider, ['--folder', 'docs'])
    assert.equal(await Promise.race([stranger.exited, sleep(30000, undefined, { ref: false }).then(() => -1)]), 5)

    const status = await hubStatus(hub.dataDir) as unknown as { folders: Record<string, { files: number }> }
    assert.equal(status.folders.docs?.files, 1)
    assert.equal(status.folders.photos?.files, 1)
    assert.equal(status.folders.nosuchfolder, undefined, 'a refused hello creates no folder')
  } finally {
    await Promise.all(clients.map(async c => await c.stop()))
    await hub.stop()
    await Promise.all([docs1, docs2, photos1, photos2, outsider, conf, hub.dataDir].map(async d => await rm(d, { recursive: true, force: true })))
  }
})

test('a directory synced with one folder is not silently synced with another', async () => {
  const dir = await tempDir('switch')
  const hub = await startHub()
  try {
    await writeFile(join(dir, 'a.txt'), 'a')
    const first = startClient(hub.addr, dir)
    await clientReady(first)
    assert.equal(await first.stop(), 0)
    const other = startClient(hub.addr, dir, ['--folder', 'other'])
    assert.equal(await Promise.race([other.exited, sleep(30000, undefined, { ref: false }).then(() => -1)]), 2, other.stderr())
    assert.match(other.stderr(), /was synced with folder "default"/)
    assert.equal(await readFile(join(dir, 'a.txt'), 'utf8'), 'a')
    const bad = startClient(hub.addr, dir, ['--folder', '../x'])
    assert.equal(await bad.exited, 2)
    assert.match(bad.stderr(), /--folder \.\.\/x: a folder name/)
  } finally {
    await hub.stop()
    await Promise.all([dir, hub.dataDir].map(async d => await rm(d, { recursive: true, force: true })))
  }
})

test('the hub serves a peer only chunks of the folders it syncs', async () => {
  const hub = await startHub()
  const dir = await tempDir('chunks-b')
  const writer = startClient(hub.addr, dir, ['--folder', 'b'])
  const node = await createNode({ privateKey: await generateKeyPair('Ed25519'), pingIntervalMs: 1000 })
  await node.start()
  try {
    await clientReady(writer)
    // big enough to be fetched by its chunks rather than travel with its entry
    const file = join(dir, 'secret.bin')
    await writeFile(file, randomBytes(INLINE_FILE_MAX * 3))
    const { chunks } = await readChunks(file, INLINE_FILE_MAX * 3)
    await waitFor('the hub to hold the file', async () => (await hubStatus(hub.dataDir) as unknown as { folders: Record<string, { files: number }> }).folders.b?.files === 1, 30000)
    const connection = await node.dial(multiaddr(hub.addr))
    const joinFolder = async (folder: string): Promise<void> => {
      const lp = lpStream(await connection.newStream(SYNC_PROTOCOL), { maxDataLength: MAX_SYNC_FRAME })
      await lp.write(encodeClientMessage({ type: 'hello', hello: { sinceSeq: 0, folder, addrs: [] } }))
      while (decodeHubMessage(await lp.read()).type !== 'caught-up');
    }
    const fetchAll = async (): Promise<number> => {
      let bytes = 0
      for await (const b of fetchBlocks(connection, chunks, AbortSignal.timeout(20000))) bytes += b.data.byteLength
      return bytes
    }
    await joinFolder('a')
    await assert.rejects(fetchAll(), { name: 'BlockMissingError' }, 'a member of folder a only reads folder b\'s chunks')
    await joinFolder('b')
    assert.equal(await fetchAll(), INLINE_FILE_MAX * 3, 'once it syncs folder b too, it may')
  } finally {
    await node.stop()
    await writer.stop()
    await hub.stop()
    await Promise.all([dir, hub.dataDir].map(async d => await rm(d, { recursive: true, force: true })))
  }
})
