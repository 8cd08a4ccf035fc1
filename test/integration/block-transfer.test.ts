// The blocks protocol between two real libp2p nodes on 127.0.0.1: a fetch of several MiB (many
// requests, answers written in batches) arrives complete and in order, and a chunk the server
// lacks or serves wrong ends the fetch with the matching error at that chunk, not before.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createNode } from '../../src/net/node.ts'
import { BlockMissingError, fetchBlocks, handleBlocks, serveBlocks, type BlockSource } from '../../src/net/block-transfer.ts'
import { compressBlock, type StoredBlock } from '../../src/net/block-codec.ts'
import { BLOCKS_PROTOCOL, CHUNK_MAX, CHUNK_MIN } from '../../src/protocol/constants.ts'
import { ChunkListBuilder, type ChunkList } from '../../src/chunk/chunk-list.ts'
import { sha256 } from '../../src/chunk/hash.ts'
import { hex } from '../../src/index/entry.ts'
import type { Libp2p } from 'libp2p'

/** Chunks of varied sizes, some compressible (zstd on the wire), ~6 MiB in all. */
function makeChunks (count: number): Uint8Array[] {
  const chunks: Uint8Array[] = []
  for (let i = 0; i < count; i++) {
    const size = CHUNK_MIN + ((i * 7919) % (CHUNK_MAX - CHUNK_MIN))
    chunks.push(i % 3 === 0 ? Buffer.alloc(size, i) : randomBytes(size))
  }
  return chunks
}

async function withPair (source: BlockSource, fn: (server: Libp2p, fetcher: Libp2p) => Promise<void>): Promise<void> {
  const server = await createNode({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], pingIntervalMs: 5000 })
  const fetcher = await createNode({ privateKey: await generateKeyPair('Ed25519'), pingIntervalMs: 5000 })
  const stop = new AbortController()
  await server.handle(BLOCKS_PROTOCOL, stream => { void serveBlocks(stream, source, stop.signal).catch(() => {}) })
  await server.start()
  await fetcher.start()
  try {
    await fn(server, fetcher)
  } finally {
    stop.abort()
    await Promise.all([fetcher.stop(), server.stop()])
  }
}

function sourceOf (chunks: Uint8Array[], serve: (data: Uint8Array, i: number) => StoredBlock | null = data => compressBlock(data)): BlockSource {
  const byHash = new Map(chunks.map((data, i) => [hex(sha256(data)), { data, i }]))
  return {
    get: async (hash) => {
      const found = byHash.get(hex(hash))
      return found == null ? null : serve(found.data, found.i)
    }
  }
}

function listOf (chunks: Uint8Array[]): ChunkList {
  const b = new ChunkListBuilder()
  for (const c of chunks) b.push(sha256(c), c.byteLength)
  return b.finish()
}

test('a fetch of many chunks arrives complete, verified and in the order asked', async () => {
  const chunks = makeChunks(48)
  // asked in an order unlike the server's, with one chunk asked twice
  const asked = [...chunks].reverse()
  asked.splice(10, 0, chunks[5]!)
  await withPair(sourceOf(chunks), async (server, fetcher) => {
    const connection = await fetcher.dial(server.getMultiaddrs()[0]!)
    const got: Uint8Array[] = []
    for await (const block of fetchBlocks(connection, listOf(asked), AbortSignal.timeout(30_000))) got.push(block.data)
    assert.equal(got.length, asked.length)
    got.forEach((data, i) => { assert.ok(Buffer.from(data).equals(asked[i]!), `chunk ${i} differs`) })
  })
})

test('a chunk the server does not have ends the fetch at that chunk with BlockMissingError', async () => {
  const chunks = makeChunks(40)
  const gone = 23
  await withPair(sourceOf(chunks, (data, i) => i === gone ? null : compressBlock(data)), async (server, fetcher) => {
    const connection = await fetcher.dial(server.getMultiaddrs()[0]!)
    let received = 0
    await assert.rejects(async () => {
      for await (const block of fetchBlocks(connection, listOf(chunks), AbortSignal.timeout(30_000))) {
        assert.ok(Buffer.from(block.data).equals(chunks[received]!))
        received++
      }
    }, BlockMissingError)
    assert.equal(received, gone, 'every chunk before the missing one was delivered')
  })
})

test('a chunk served with the wrong bytes is refused as ERR_BAD_BLOCK', async () => {
  const chunks = makeChunks(12)
  const liar = 7
  const serve = (data: Uint8Array, i: number): StoredBlock => {
    if (i !== liar) return compressBlock(data)
    const wrong = Buffer.from(data)
    wrong[wrong.length - 1]! ^= 1
    return { data: wrong, zstd: false }
  }
  await withPair(sourceOf(chunks, serve), async (server, fetcher) => {
    const connection = await fetcher.dial(server.getMultiaddrs()[0]!)
    let received = 0
    await assert.rejects(async () => {
      for await (const _ of fetchBlocks(connection, listOf(chunks), AbortSignal.timeout(30_000))) received++
    }, { code: 'ERR_BAD_BLOCK' })
    assert.equal(received, liar)
  })
})

test('many fetches at once over one connection all complete: none is reset past the server\'s streams per connection', async () => {
  const server = await createNode({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], pingIntervalMs: 5000 })
  const fetcher = await createNode({ privateKey: await generateKeyPair('Ed25519'), pingIntervalMs: 5000 })
  const stop = new AbortController()
  const chunks = makeChunks(48)
  const source = sourceOf(chunks)
  // every answer takes a while, so that the fetches overlap
  await handleBlocks(server, { get: async hash => { await new Promise(resolve => setTimeout(resolve, 300)); return await source.get(hash) } }, stop.signal)
  await server.start()
  await fetcher.start()
  try {
    // 48 streams opened the instant each dial returns, on a few fresh connections: their bytes
    // reach the server before its side of the handshake is done, and they must not count against
    // the bytes allowed before it (the connection was dropped, every stream reset)
    for (let round = 0; round < 4; round++) {
      const conn = await fetcher.dial(server.getMultiaddrs()[0]!)
      const results = await Promise.allSettled(chunks.map(async c => {
        for await (const b of fetchBlocks(conn, listOf([c]), AbortSignal.timeout(60_000))) assert.equal(b.data.byteLength, c.byteLength)
      }))
      const failed = results.filter(r => r.status === 'rejected').map(r => String(r.reason))
      assert.deepEqual(failed, [], `round ${round}: ${failed.length} of ${chunks.length} fetches failed`)
      await fetcher.hangUp(server.peerId)
    }
  } finally {
    stop.abort()
    await Promise.all([fetcher.stop(), server.stop()])
  }
})

test('streams opened the instant a dial returns, with large requests, do not lose the connection', async () => {
  const chunks = makeChunks(48)
  await withPair(sourceOf(chunks), async (server, fetcher) => {
    for (let round = 0; round < 8; round++) {
      const conn = await fetcher.dial(server.getMultiaddrs()[0]!)
      // each asks for every chunk: ~1.6 KiB of request per stream, ~40 KiB before any answer
      const results = await Promise.allSettled(Array.from({ length: 24 }, async () => {
        let n = 0
        for await (const _ of fetchBlocks(conn, listOf(chunks), AbortSignal.timeout(60_000))) n++
        assert.equal(n, chunks.length)
      }))
      const failed = results.filter(r => r.status === 'rejected').map(r => String(r.reason))
      assert.deepEqual(failed, [], `round ${round}: ${failed.length} of 24 fetches failed`)
      await fetcher.hangUp(server.peerId)
    }
  })
})
