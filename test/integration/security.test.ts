// Behaviour 10 of issue 2: unknown peers are refused before any protocol runs; hostile paths
// from the network are refused with a logged reason and nothing is written. The hostile peers
// here are real libp2p nodes speaking the real protocol with forged messages.
import { test } from 'node:test'
import { ChunkList } from '../../src/chunk/chunk-list.ts'
import assert from 'node:assert/strict'
import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { lpStream } from '@libp2p/utils'
import { createNode } from '../../src/net/node.ts'
import { SYNC_PROTOCOL, BLOCKS_PROTOCOL, MAX_SYNC_FRAME, MAX_BLOCK_FRAME } from '../../src/protocol/constants.ts'
import { decodeHubMessage, encodeClientMessage, encodeHubMessage, decodeBlockRequest, encodeBlock, type Result } from '../../src/protocol/codec.ts'
import { sha256 } from '../../src/chunk/hash.ts'
import type { Entry } from '../../src/index/entry.ts'
import { clientReady, cluster, hubStatus, run, startClient, startHub, tempDir, tree, waitFor, sleep } from './harness.ts'

function fileEntry (path: string, data: Uint8Array): Entry {
  // one chunk; the file's hash is the SHA-256 of its chunks' hashes
  const chunk = sha256(data)
  return { path, kind: 'file', size: data.byteLength, mtimeNs: 1n, exec: false, deleted: false, hash: sha256(chunk), chunks: ChunkList.of([{ hash: chunk, size: data.byteLength }]), target: '' }
}

test('a peer that is not on the allowlist is refused and its client exits 5; a listed one syncs', async () => {
  const [dir, okDir, keys] = await Promise.all([tempDir('stranger'), tempDir('friend'), tempDir('keys')])
  const id = async (file: string): Promise<string> => {
    const p = run(['id', '--identity', file])
    assert.equal(await p.exited, 0)
    return p.stdout().trim()
  }
  const friend = await id(join(okDir, '.distsync/identity.key'))
  assert.match(friend, /^12D3KooW/)
  assert.equal(await id(join(okDir, '.distsync/identity.key')), friend, 'the key file is kept')
  const hub = await startHub({ args: ['--allow', friend] })
  try {
    const stranger = startClient(hub.addr, dir)
    const code = await Promise.race([stranger.exited, sleep(15000).then(() => -1)])
    assert.equal(code, 5)
    assert.match(stranger.stderr(), /not on the hub's allowlist/)
    assert.equal(stranger.stderr().trim().split('\n').filter(l => l.startsWith('distsync: ') && !l.includes('syncing')).length, 1, 'one line says why')
    assert.ok(!hub.stderr().includes('client subscribed'), 'no distsync protocol ran for the stranger')

    const ok = startClient(hub.addr, okDir)
    await clientReady(ok)
    await ok.stop()
  } finally {
    await hub.stop()
    await Promise.all([dir, okDir, keys, hub.dataDir].map(async d => await rm(d, { recursive: true, force: true })))
  }
})

test('a hub of another protocol version is named as such and the client exits 5', async () => {
  const dir = await tempDir('old-hub')
  // a real node that speaks only the sync protocol of before the Progress window
  const node = await createNode({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], pingIntervalMs: 1000 })
  await node.handle('/distsync/sync/4.0.0', stream => { stream.abort(new Error('not in this test')) })
  await node.start()
  try {
    const addr = node.getMultiaddrs()[0]!.toString()
    const client = startClient(addr.includes('/p2p/') ? addr : `${addr}/p2p/${node.peerId.toString()}`, dir)
    const code = await Promise.race([client.exited, sleep(15000).then(() => -1)])
    assert.equal(code, 5)
    assert.ok(client.stderr().includes(`does not speak ${SYNC_PROTOCOL}: hub and clients must run the same version`), client.stderr())
  } finally {
    await node.stop()
    await rm(dir, { recursive: true, force: true })
  }
})

test('the hub refuses proposals with hostile paths, keeps the session, and writes nothing', async () => {
  const c = await cluster(1)
  const node = await createNode({ privateKey: await generateKeyPair('Ed25519'), pingIntervalMs: 1000 })
  await node.start()
  try {
    const data = new TextEncoder().encode('payload')
    const stream = await node.dialProtocol(multiaddr(c.hub.addr), SYNC_PROTOCOL)
    const lp = lpStream(stream, { maxDataLength: MAX_SYNC_FRAME })
    await lp.write(encodeClientMessage({ type: 'hello', hello: { sinceSeq: 0, folder: 'default', addrs: [] } }))
    const hostile = ['../escape.txt', '/etc/passwd-copy', 'a/../../b.txt', '.distsync/index.db', 'x/.distsync-tmp-1', 'nul\0name', 'back\\slash', 'a//b']
    let id = 0
    for (const path of hostile) await lp.write(encodeClientMessage({ type: 'propose', propose: { id: ++id, entry: fileEntry(path, data), baseSeq: 0, blocks: [] } }))
    const results: Result[] = []
    while (results.length < hostile.length) {
      const msg = decodeHubMessage(await lp.read())
      if (msg.type === 'result') results.push(msg.result)
    }
    assert.ok(results.every(r => r.outcome === 'rejected' && r.reason !== ''), JSON.stringify(results))
    // a small file whose chunk came with it, but not the bytes its hash names
    const forged = fileEntry('forged.txt', data)
    await lp.write(encodeClientMessage({ type: 'propose', propose: { id: ++id, entry: forged, baseSeq: 0, blocks: [{ hash: forged.chunks.hash(0), data: new TextEncoder().encode('paylo4d'), zstd: false }] } }))
    let refusal: Result | undefined
    while (refusal == null) {
      const msg = decodeHubMessage(await lp.read())
      if (msg.type === 'result') refusal = msg.result
    }
    assert.equal(refusal.outcome, 'rejected')
    assert.match(refusal.reason, /does not match its hash/)
    // the hub fetches a chunk from us; for 'changed.txt' we send other bytes than its hash names
    // (a file that changed after it was read): that proposal is refused, the session goes on
    const changed = fileEntry('changed.txt', new TextEncoder().encode('before the edit'))
    await node.handle(BLOCKS_PROTOCOL, async (s) => {
      const blp = lpStream(s, { maxDataLength: MAX_BLOCK_FRAME })
      for (const h of decodeBlockRequest(await blp.read())) {
        const bytes = Buffer.compare(h, changed.chunks.hash(0)) === 0 ? new TextEncoder().encode('after the edit!') : data
        await blp.write(encodeBlock({ hash: h, data: bytes, zstd: false, missing: false }))
      }
      await s.close()
    })
    await lp.write(encodeClientMessage({ type: 'propose', propose: { id: ++id, entry: changed, baseSeq: 0, blocks: [] } }))
    let changedResult: Result | undefined
    while (changedResult == null) {
      const msg = decodeHubMessage(await lp.read())
      if (msg.type === 'result') changedResult = msg.result
    }
    assert.equal(changedResult.outcome, 'rejected')
    assert.match(changedResult.reason, /changed while it was being sent/)
    // the same session still works for an honest proposal
    await lp.write(encodeClientMessage({ type: 'propose', propose: { id: ++id, entry: fileEntry('honest.txt', data), baseSeq: 0, blocks: [] } }))
    let last: Result | undefined
    while (last == null) {
      const msg = decodeHubMessage(await lp.read())
      if (msg.type === 'result') last = msg.result
    }
    assert.equal(last.outcome, 'accepted')
    await waitFor('the honest file at the real client', async () => (await tree(c.dirs[0]!)).has('honest.txt'))
    assert.deepEqual([...(await tree(c.dirs[0]!)).keys()], ['honest.txt'])
    assert.equal((await hubStatus(c.hub.dataDir)).headSeq, 1, 'only the honest proposal reached the journal')
    assert.match(c.hub.stderr(), /refused a proposal/)
  } finally {
    await node.stop()
    await c.close()
  }
})

test('a client refuses changes from a hostile hub: no escape, no writing through a symlink, no state folder', async () => {
  const [dir, outside] = await Promise.all([tempDir('victim'), tempDir('outside')])
  const node = await createNode({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], pingIntervalMs: 1000 })
  const data = new TextEncoder().encode('pwned')
  const link: Entry = { path: 'evil', kind: 'symlink', size: 0, mtimeNs: 1n, exec: false, deleted: false, hash: new Uint8Array(0), chunks: ChunkList.EMPTY, target: outside }
  const forged = fileEntry('forged.txt', data)
  const changes: Entry[] = [
    forged,
    fileEntry('../escape.txt', data),
    fileEntry('.distsync/index.db', data),
    link,
    fileEntry('fine.txt', data)
  ]
  await node.handle(SYNC_PROTOCOL, async (stream) => {
    const lp = lpStream(stream, { maxDataLength: MAX_SYNC_FRAME })
    await lp.read()
    let seq = 0
    // forged.txt comes with a chunk that is not the bytes its hash names
    const lie = [{ hash: forged.chunks.hash(0), data: new TextEncoder().encode('pwnev'), zstd: false }]
    for (const entry of changes) await lp.write(encodeHubMessage({ type: 'changed', changed: { entry, seq: ++seq, origin: 'x', blocks: entry === forged ? lie : [], holders: { peers: [], held: true } } }))
    await lp.write(encodeHubMessage({ type: 'caught-up', seq }))
    // once the symlink is on disk, a file "inside" it
    await sleep(1000)
    await lp.write(encodeHubMessage({ type: 'changed', changed: { entry: fileEntry('evil/pwned.txt', data), seq: ++seq, origin: 'x', blocks: [], holders: { peers: [], held: true } } }))
  })
  await node.handle(BLOCKS_PROTOCOL, async (s) => {
    const blp = lpStream(s, { maxDataLength: MAX_BLOCK_FRAME })
    for (const h of decodeBlockRequest(await blp.read())) await blp.write(encodeBlock({ hash: h, data, zstd: false, missing: false }))
    await s.close()
  })
  await node.start()
  const addr = node.getMultiaddrs()[0]!.toString()
  const client = startClient(addr, dir)
  try {
    await waitFor('the harmless file', async () => (await tree(dir)).has('fine.txt'))
    await waitFor('the refusal to write through the symlink', () => client.stderr().includes('ERR_SYMLINK_IN_PATH'))
    await waitFor('the refusal of a forged chunk', () => /forged\.txt.*ERR_BAD_BLOCK|ERR_BAD_BLOCK.*forged\.txt/.test(client.stderr()))
    assert.deepEqual(await readdir(outside), [], 'nothing written outside the directory')
    const t = await tree(dir)
    assert.deepEqual([...t.keys()].sort(), ['evil', 'fine.txt'])
    assert.equal(t.get('evil'), `link -> ${outside}`)
    assert.match(client.stderr(), /refused a change from the hub/)
    assert.match(client.stderr(), /ERR_SYMLINK_IN_PATH/)
    assert.equal(client.child.exitCode, null, 'the client keeps running')
  } finally {
    await client.stop()
    await node.stop()
    await Promise.all([dir, outside].map(async d => await rm(d, { recursive: true, force: true })))
  }
})

