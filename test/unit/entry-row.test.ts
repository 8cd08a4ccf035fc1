// How entries are stored in SQLite rows: the packed chunk list and the row mapping.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { entryFromRow, entryParams, packChunks, unpackChunks } from '../../src/index/entry-row.ts'
import type { ChunkRef, Entry } from '../../src/index/entry.ts'

const hash = fc.uint8Array({ minLength: 32, maxLength: 32 })
const chunk: fc.Arbitrary<ChunkRef> = fc.record({ hash, size: fc.oneof(fc.constantFrom(0, 1, 0xffffffff), fc.integer({ min: 0, max: 0xffffffff })) }, { noNullPrototype: true })
const plain = (cs: ChunkRef[]): Array<{ hash: string, size: number }> => cs.map(c => ({ hash: Buffer.from(c.hash).toString('hex'), size: c.size }))

describe('packChunks / unpackChunks', () => {
  test('the layout is 32 hash bytes then the size as u32 little-endian, per chunk', () => {
    const h = new Uint8Array(32).fill(0xab)
    const packed = packChunks([{ hash: h, size: 0x01020304 }])
    assert.equal(packed.byteLength, 36)
    assert.deepEqual([...packed.subarray(0, 32)], Array(32).fill(0xab))
    assert.deepEqual([...packed.subarray(32)], [0x04, 0x03, 0x02, 0x01])
  })

  test('no chunks pack to no bytes', () => {
    assert.equal(packChunks([]).byteLength, 0)
    assert.deepEqual(unpackChunks(new Uint8Array(0)), [])
  })

  test('property: unpack(pack(chunks)) is the chunk list', () => {
    fc.assert(fc.property(fc.array(chunk, { maxLength: 100 }), chunks => {
      const packed = packChunks(chunks)
      assert.equal(packed.byteLength, 36 * chunks.length)
      assert.deepEqual(plain(unpackChunks(packed)), plain(chunks))
    }), { numRuns: 300 })
  })

  test('property: unpacking works on a view into a larger buffer (as SQLite may hand it over)', () => {
    fc.assert(fc.property(fc.array(chunk, { maxLength: 20 }), fc.uint8Array({ maxLength: 50 }), fc.uint8Array({ maxLength: 50 }), (chunks, before, after) => {
      const packed = packChunks(chunks)
      const big = new Uint8Array(before.length + packed.length + after.length)
      big.set(before, 0)
      big.set(packed, before.length)
      big.set(after, before.length + packed.length)
      const view = big.subarray(before.length, before.length + packed.length)
      assert.deepEqual(plain(unpackChunks(view)), plain(chunks))
    }), { numRuns: 200 })
  })
})

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
      chunks: fc.array(chunk, { maxLength: 5 }),
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
