import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHash, randomBytes } from 'node:crypto'
import { FileChangedError, readChunks } from '../../src/fs/read-chunks.ts'

describe('readChunks', () => {
  const cases = [
    { name: 'empty', size: 0 },
    { name: 'small, kept in memory', size: 3000 },
    { name: 'several read buffers', size: 9 * 1024 * 1024 + 17 }
  ]
  for (const { name, size } of cases) {
    it(`reads a file of ${size} bytes (${name}) whole and in order`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'distsync-rc-'))
      try {
        const data = randomBytes(size)
        await writeFile(join(dir, 'f'), data)
        const content = await readChunks(join(dir, 'f'), size)
        assert.equal(content.size, size)
        // the file hash is SHA-256 over the chunks' SHA-256s, computed here from the bytes
        const root = createHash('sha256')
        let offset = 0
        for (const [i, c] of [...content.chunks].entries()) {
          root.update(createHash('sha256').update(data.subarray(offset, offset + c.size)).digest())
          assert.equal(content.chunks.offsets()[i], offset)
          assert.deepEqual(Buffer.from(c.hash), createHash('sha256').update(data.subarray(offset, offset + c.size)).digest())
          if (content.data != null) assert.deepEqual(Buffer.from(content.data[i]!), data.subarray(offset, offset + c.size))
          offset += c.size
        }
        // small files keep their chunks' bytes, one buffer per chunk; big ones none
        assert.equal(content.data?.length, size <= 1024 * 1024 ? content.chunks.length : undefined)
        assert.equal(offset, size)
        assert.deepEqual(Buffer.from(content.hash), root.digest())
      } finally {
        await rm(dir, { recursive: true })
      }
    })
  }

  // A stat taken while the file is being written must not make the reader hold what it grew to.
  for (const [statSize, actual] of [[10, 2_000_000], [0, 1], [5_000_000, 5_000_001], [4096, 100]]) {
    it(`refuses a file of ${actual} bytes stat'ed at ${statSize}`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'distsync-rc-'))
      try {
        await writeFile(join(dir, 'f'), randomBytes(actual!))
        await assert.rejects(readChunks(join(dir, 'f'), statSize!), FileChangedError)
      } finally {
        await rm(dir, { recursive: true })
      }
    })
  }
})
