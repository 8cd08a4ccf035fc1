// Liveness by yamux ping frames (issue 20): pings open no stream, and a frozen peer is still
// noticed and its connection closed.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { rm } from 'node:fs/promises'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { createNode } from '../../src/net/node.ts'
import { muxerPing } from '../../src/net/liveness.ts'
import { sleep, startHub, waitFor } from './harness.ts'

test('pings travel as yamux frames on the open connection: no ping stream is ever opened', async () => {
  const server = await createNode({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], pingIntervalMs: 100 })
  const client = await createNode({ privateKey: await generateKeyPair('Ed25519'), pingIntervalMs: 100 })
  let pingStreams = 0
  await server.handle('/ipfs/ping/1.0.0', (stream) => { pingStreams++; stream.abort(new Error('counted')) })
  await Promise.all([server.start(), client.start()])
  try {
    const connection = await client.dial(server.getMultiaddrs()[0]!)
    // fails if libp2p or yamux moved the muxer or its ping
    assert.ok(await muxerPing(connection, AbortSignal.timeout(20_000)) >= 0)
    await sleep(1000)
    assert.equal(connection.status, 'open', 'answered pings keep the connection')
    assert.equal(pingStreams, 0, 'no /ipfs/ping stream was opened')
    assert.equal(connection.streams.length, 0, 'no stream of any kind is open')
  } finally {
    await Promise.all([server.stop(), client.stop()])
  }
})

test('a frozen hub (SIGSTOP) is noticed: its connection is closed after an unanswered ping', async () => {
  const hub = await startHub()
  const node = await createNode({ privateKey: await generateKeyPair('Ed25519'), pingIntervalMs: 500, pingTimeoutMs: 1000 })
  await node.start()
  let stopped = false
  try {
    const connection = await node.dial(multiaddr(hub.addr))
    let gone = false
    node.addEventListener('peer:disconnect', evt => { if (evt.detail.equals(connection.remotePeer)) gone = true })
    await sleep(1500)
    assert.equal(gone, false, 'a live hub keeps its connection')
    process.kill(hub.child.pid!, 'SIGSTOP')
    stopped = true
    await waitFor('the frozen hub\'s connection to be closed', () => gone, 30_000)
  } finally {
    if (stopped) process.kill(hub.child.pid!, 'SIGCONT')
    await node.stop()
    await hub.stop()
    await rm(hub.dataDir, { recursive: true, force: true })
  }
})
