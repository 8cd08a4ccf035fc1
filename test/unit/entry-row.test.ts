// How entries are stored in SQLite rows (the chunk list as its packed bytes: chunk-list.test.ts).
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { entryFromRow, entryParams } from '../../src/index/entry-row.ts'
import { ChunkList } from '../../src/chunk/chunk-list.ts'
import type { ChunkRef, Entry } from '../../src/index/entry.ts'

const hash = fc.uint8Array({ minLength: 32, maxLength: 32 })
const chunk: fc.Arbitrary<ChunkRef> = fc.record({ hash, size: fc.oneof(fc.constantFrom(0, 1, 0xffffffff), fc.integer({ min: 0, max: 0xffffffff })) }, { noNullPrototype: true })
const plain = (cs: Iterable<ChunkRef>): Array<{ hash: string, size: number }> => [...cs].map(c => ({ hash: Buffer.from(c.hash).toString('hex'), size: c.size }))

describe('entryParams / entryFromRow', () => {
  test('property: an entry survives the row mapping (with bigints as SQLite reads them)', () => {
    const entry: fc.Arbitrary<Entry> = fc.record({
      path: fc.string({ minLength: 1 }),
      kind: fc.constantFrom('file' as const, 'dir' as const, 'symlink' as const),
      size: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
      mtimeNs: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      exec: fc.boolean(),
      deleted: fc.boolean(),
      hash: fc.uint8Array({ maxLength: 32 }),
      chunks: fc.array(chunk, { maxLength: 5 }).map(cs => ChunkList.of(cs)),
      target: fc.string()
    }, { noNullPrototype: true })
    fc.assert(fc.property(entry, e => {
      const p = entryParams(e)
      // node:sqlite with setReadBigInts(true) hands integers back as bigints
      const row: Record<string, unknown> = {
        path: p.path, kind: p.kind, size: BigInt(p.size as number), mtime_ns: p.mtime_ns,
        exec: BigInt(p.exec as number), deleted: BigInt(p.deleted as number), hash: p.hash, target: p.target, chunks: p.chunks
      }
      const back = entryFromRow(row)
      assert.deepEqual({ ...back, hash: [...back.hash], chunks: plain(back.chunks) }, { ...e, hash: [...e.hash], chunks: plain(e.chunks) })
    }), { numRuns: 200 })
  })
})
