// A receiver serves the chunks of a file it is still building, once they are written and only if
// they are what their hash says; a chunk not written in time, or of a build that ended, is "missing".
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, mkdir, open, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { IndexStore } from '../../src/index/index-store.ts'
import { LocalBlocks } from '../../src/client/local-blocks.ts'
import { FilesInProgress } from '../../src/client/files-in-progress.ts'
import { ChunkList } from '../../src/chunk/chunk-list.ts'
import { sha256 } from '../../src/chunk/hash.ts'
import { openBlock } from '../../src/net/block-codec.ts'

const K = 1024
const parts = [randomBytes(40 * K), randomBytes(50 * K), randomBytes(60 * K)]
const chunks = ChunkList.of(parts.map(p => ({ hash: sha256(p), size: p.byteLength })))

async function withFolder (fn: (root: string, blocks: LocalBlocks, progress: FilesInProgress) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'distsync-progress-'))
  const index = new IndexStore(join(root, 'index.db'))
  try {
    await mkdir(join(root, 'tmp'))
    const progress = new FilesInProgress()
    await fn(root, new LocalBlocks(root, index, progress), progress)
  } finally {
    index.close()
    await rm(root, { recursive: true, force: true })
  }
}

test('a chunk of a file in progress is served once written, and a request waits for it', async () => {
  await withFolder(async (root, blocks, progress) => {
    const file = await open(join(root, 'tmp/t1'), 'wx')
    const build = progress.start('tmp/t1', chunks)
    try {
      await file.write(parts[0]!, 0, parts[0]!.length, 0)
      build.written(1)
      const first = await blocks.get(chunks.hash(0))
      assert.ok(first != null)
      assert.deepEqual(Buffer.from(openBlock(first, chunks.hash(0), chunks.size(0))), parts[0])
      // asked before it is written: answered when it is
      const asked = blocks.get(chunks.hash(1))
      await file.write(parts[1]!, 0, parts[1]!.length, parts[0]!.length)
      build.written(2)
      const second = await asked
      assert.ok(second != null)
      assert.deepEqual(Buffer.from(openBlock(second, chunks.hash(1), chunks.size(1))), parts[1])
    } finally {
      build.end()
      await file.close()
    }
  })
})

test('bytes that are not what the hash says, a build that ended, a chunk of no build: missing', async () => {
  await withFolder(async (root, blocks, progress) => {
    // "written" but the bytes there are others: never served
    await writeFile(join(root, 'tmp/t2'), randomBytes(150 * K))
    const wrong = progress.start('tmp/t2', chunks)
    wrong.written(1)
    assert.equal(await blocks.get(chunks.hash(0)), null)
    // a request waiting for a chunk is answered when the build ends without it
    const waiting = blocks.get(chunks.hash(2))
    wrong.end()
    assert.equal(await waiting, null)
    assert.equal(await blocks.get(sha256(randomBytes(10))), null)
  })
})

test('a chunk that arrived raw is served raw; one that did not is compressed as usual', async () => {
  await withFolder(async (root, blocks, progress) => {
    // two compressible chunks: zstd would shrink both
    const zeros = [Buffer.alloc(40 * K, 1), Buffer.alloc(50 * K, 2)]
    const list = ChunkList.of(zeros.map(p => ({ hash: sha256(p), size: p.byteLength })))
    await writeFile(join(root, 'tmp/t3'), Buffer.concat(zeros))
    const build = progress.start('tmp/t3', list)
    try {
      build.written(2)
      // as a receiver marks a chunk that came raw (the copy kept in memory is that chunk)
      build.arrived(0, zeros[0]!, true)
      const raw = await blocks.get(list.hash(0))
      const packed = await blocks.get(list.hash(1))
      assert.equal(raw?.zstd, false, 'came raw from its sender: goes on raw')
      assert.deepEqual(Buffer.from(raw!.data), zeros[0])
      assert.equal(packed?.zstd, true)
      assert.deepEqual(Buffer.from(openBlock(packed!, list.hash(1), list.size(1))), zeros[1])
    } finally {
      build.end()
    }
  })
})

test('a chunk that arrived is served before it is written, from memory; the oldest are let go past the bound', async () => {
  await withFolder(async (root, blocks, progress) => {
    // the file stays empty: whatever is served comes from memory
    await writeFile(join(root, 'tmp/t4'), Buffer.alloc(0))
    const many = Array.from({ length: 24 }, () => randomBytes(64 * K))
    const list = ChunkList.of(many.map(p => ({ hash: sha256(p), size: p.byteLength })))
    const build = progress.start('tmp/t4', list)
    try {
      const asked = blocks.get(list.hash(1))
      build.arrived(0, many[0]!, true)
      build.arrived(1, many[1]!, true)
      const got = await asked
      assert.ok(got != null)
      assert.deepEqual(Buffer.from(got.data), many[1])
      // 24 x 64 KiB arrive, nothing written: the first ones are no longer kept (about 1 MiB is)
      for (let i = 2; i < many.length; i++) build.arrived(i, many[i]!, true)
      assert.deepEqual(Buffer.from((await blocks.get(list.hash(23)))!.data), many[23])
      const gone = blocks.get(list.hash(0))
      build.end()
      assert.equal(await gone, null, 'neither in memory nor written: missing')
    } finally {
      build.end()
    }
  })
})
