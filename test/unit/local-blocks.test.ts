// What a client serves while it proposes a file: the chunks it hashed, without hashing them again
// while the file is as it was; once the file changed, only bytes that still match their hash.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { IndexStore } from '../../src/index/index-store.ts'
import { LocalBlocks } from '../../src/client/local-blocks.ts'
import { readChunks } from '../../src/fs/read-chunks.ts'
import { localStatSync } from '../../src/fs/local-stat.ts'
import { openBlock } from '../../src/net/block-codec.ts'

test('a proposed file serves its chunks while unchanged, and no stale bytes once it changed', async () => {
  const root = await mkdtemp(join(tmpdir(), 'distsync-blocks-'))
  const index = new IndexStore(join(root, 'index.db'))
  try {
    const abs = join(root, 'big.bin')
    const original = randomBytes(3 * 1024 * 1024)
    await writeFile(abs, original)
    const stat = localStatSync(abs)!
    const content = await readChunks(abs, stat.size)
    assert.ok(content.chunks.length > 4, 'several chunks')
    const blocks = new LocalBlocks(root, index)
    const release = blocks.offer('big.bin', content, stat)
    let offset = 0
    for (const c of content.chunks) {
      const b = await blocks.get(c.hash)
      assert.ok(b != null, 'served while unchanged')
      assert.deepEqual(Buffer.from(openBlock(b, c.hash, c.size)), original.subarray(offset, offset + c.size))
      offset += c.size
    }
    // the same size, other bytes: a rewrite after the proposal was made (its mtime set apart, as
    // timestamps of two writes a moment apart may fall in one clock tick)
    await writeFile(abs, randomBytes(original.length))
    const later = Number(stat.mtimeNs / 1_000_000n) / 1000 + 10
    await utimes(abs, later, later)
    for (const c of content.chunks) assert.equal(await blocks.get(c.hash), null, 'a chunk that is no longer there is not served')
    release()
  } finally {
    index.close()
    await rm(root, { recursive: true, force: true })
  }
})
