// The hub's chunk store: whatever goes in comes back byte for byte, also after a restart, with
// many puts in flight at once (appends to a pack are reserved and written in batches).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHash, randomBytes } from 'node:crypto'
import { ChunkStore } from '../../src/store/chunk-store.ts'

const sha = (b: Uint8Array): Uint8Array => createHash('sha256').update(b).digest()

test('chunks put concurrently come back identical, before and after reopening the store', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'distsync-cs-'))
  try {
    // sizes on both sides of the inline limit (32 KiB), some chunks put twice at once
    const blocks = Array.from({ length: 300 }, (_, i) => ({ data: randomBytes([100, 32 * 1024, 32 * 1024 + 1, 200_000][i % 4]!), zstd: i % 3 === 0 }))
    const first = new ChunkStore(join(dir, 'chunks'))
    await first.init()
    await Promise.all([...blocks, ...blocks.slice(0, 50)].map(async b => { await first.put(sha(b.data), b) }))
    for (const b of blocks) {
      const got = await first.get(sha(b.data))
      assert.ok(got != null)
      assert.deepEqual([Buffer.from(got.data), got.zstd], [Buffer.from(b.data), b.zstd])
    }
    first.close()

    const again = new ChunkStore(join(dir, 'chunks'))
    await again.init()
    const more = Array.from({ length: 40 }, () => ({ data: randomBytes(100_000), zstd: false }))
    await Promise.all(more.map(async b => { await again.put(sha(b.data), b) }))
    for (const b of [...blocks, ...more]) {
      const got = await again.get(sha(b.data))
      assert.ok(got != null)
      assert.deepEqual(Buffer.from(got.data), Buffer.from(b.data))
    }
    assert.equal(await again.get(sha(randomBytes(10))), null)
    again.close()
  } finally {
    await rm(dir, { recursive: true })
  }
})
