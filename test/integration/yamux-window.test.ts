// The yamux window policy (src/net/yamux-window.ts) on a real connection between two libp2p
// nodes on 127.0.0.1: a stream that reads small frames grants the sender more window only once
// half of it is used, not after every frame; a transfer many windows long still completes; and a
// stream widened for a blocks fetch lets its peer send the whole wider window at once.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createNode } from '../../src/net/node.ts'
import { widenReceiveWindow } from '../../src/net/yamux-window.ts'
import type { Libp2p } from 'libp2p'
import type { Stream } from '@libp2p/interface'

const PROTOCOL = '/distsync-test/window/1.0.0'

/** js-yamux's own window bookkeeping on the receiving stream (private in its types) */
interface Window { recvWindow: number, recvWindowCapacity: number }

async function withStream (fn: (send: Stream, received: Promise<Stream>) => Promise<void>): Promise<void> {
  const server = await createNode({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], pingIntervalMs: 5000 })
  const client = await createNode({ privateKey: await generateKeyPair('Ed25519'), pingIntervalMs: 5000 })
  const accepted = Promise.withResolvers<Stream>()
  await server.handle(PROTOCOL, stream => { accepted.resolve(stream) })
  await server.start()
  await client.start()
  try {
    const stream = await client.dialProtocol(server.getMultiaddrs()[0]!, PROTOCOL)
    await fn(stream, accepted.promise)
  } finally {
    await Promise.all([client.stop(), server.stop()])
  }
}

/** Reads from `stream` until `bytes` have arrived. */
async function readBytes (stream: Stream, bytes: number): Promise<void> {
  let got = 0
  for await (const chunk of stream) {
    got += chunk.byteLength
    if (got >= bytes) return
  }
  throw new Error(`stream ended after ${got} of ${bytes} bytes`)
}

test('a stream reading small frames does not grant window back after each one', async () => {
  await withStream(async (sender, received) => {
    const frames = 32
    const frame = new Uint8Array(1024).fill(7)
    // a first frame opens the stream on the other side
    sender.send(frame)
    const receiver = await received
    const read = readBytes(receiver, frames * 1024)
    for (let i = 1; i < frames; i++) {
      sender.send(frame)
      await new Promise(resolve => setImmediate(resolve)) // one yamux frame each
    }
    await read
    const w = receiver as unknown as Window
    assert.equal(typeof w.recvWindow, 'number', 'js-yamux no longer has recvWindow: check src/net/yamux-window.ts')
    assert.equal(typeof w.recvWindowCapacity, 'number', 'js-yamux no longer has recvWindowCapacity: check src/net/yamux-window.ts')
    // every byte read is still owed to the sender: no update went out for these 32 KiB
    assert.equal(w.recvWindow - w.recvWindowCapacity, frames * 1024)
  })
})

test('a transfer of many windows completes', { timeout: 20_000 }, async () => {
  await withStream(async (sender, received) => {
    const total = 8 * 1024 * 1024
    const piece = new Uint8Array(64 * 1024).fill(1)
    sender.send(piece)
    const receiver = await received
    const read = readBytes(receiver, total)
    for (let sent = piece.byteLength; sent < total; sent += piece.byteLength) {
      if (!sender.send(piece)) await new Promise(resolve => sender.addEventListener('drain', resolve, { once: true }))
    }
    await read
  })
})

test('a widened stream lets its peer send that much at once without waiting for an update', async () => {
  await withStream(async (sender, received) => {
    sender.send(new Uint8Array(16))
    const receiver = await received
    const window = 1024 * 1024
    assert.equal(widenReceiveWindow(receiver, window), true)
    // the sender learns the new window from one update frame; nothing read in between
    const s = sender as unknown as { sendWindowCapacity: number }
    const deadline = Date.now() + 20_000
    while (s.sendWindowCapacity < window - 16 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
    assert.equal(s.sendWindowCapacity, window - 16, 'the sender may send the whole widened window')
  })
})
