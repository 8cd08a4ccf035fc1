// A file's chunk list, packed 36 bytes a chunk: layout, lookups and the first-occurrence map,
// each against a plain array model.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ChunkList, ChunkListBuilder, type ChunkRef } from '../../src/chunk/chunk-list.ts'

const PLAIN = { noNullPrototype: true }
/** Hashes from a pool of five, so lists repeat chunks as files of zeros do. */
const pooled = fc.integer({ min: 0, max: 4 }).map(n => new Uint8Array(32).fill(n * 51))
const anyHash = fc.uint8Array({ minLength: 32, maxLength: 32 })
const size = fc.oneof(fc.constantFrom(0, 1, 0xffffffff), fc.integer({ min: 0, max: 0xffffffff }))
const refs: fc.Arbitrary<ChunkRef[]> = fc.array(fc.record({ hash: fc.oneof(pooled, anyHash), size }, PLAIN), { maxLength: 60 })
const hex = (h: Uint8Array): string => Buffer.from(h).toString('hex')
const plain = (cs: Iterable<ChunkRef>): Array<[string, number]> => [...cs].map(c => [hex(c.hash), c.size])

describe('ChunkList', () => {
  test('the layout is 32 hash bytes then the size as u32 little-endian, per chunk', () => {
    const list = ChunkList.of([{ hash: new Uint8Array(32).fill(0xab), size: 0x01020304 }])
    assert.equal(list.bytes.byteLength, 36)
    assert.deepEqual([...list.bytes.subarray(0, 32)], Array(32).fill(0xab))
    assert.deepEqual([...list.bytes.subarray(32)], [0x04, 0x03, 0x02, 0x01])
  })

  test('bytes that are not a whole number of refs are refused', () => {
    for (const n of [1, 35, 37, 71]) assert.throws(() => new ChunkList(new Uint8Array(n)), RangeError)
    assert.throws(() => new ChunkListBuilder().push(new Uint8Array(31), 1), RangeError)
    assert.equal(ChunkList.EMPTY.length, 0)
  })

  test('property: a list gives back its chunks, sizes and offsets, from a view into a larger buffer too', () => {
    fc.assert(fc.property(refs, fc.uint8Array({ maxLength: 50 }), fc.uint8Array({ maxLength: 50 }), (rs, before, after) => {
      const packed = ChunkList.of(rs).bytes
      const big = Buffer.concat([before, packed, after])
      const list = new ChunkList(big.subarray(before.length, before.length + packed.length))
      assert.equal(list.length, rs.length)
      assert.deepEqual(plain(list), plain(rs))
      let off = 0
      const offsets = list.offsets()
      rs.forEach((r, i) => {
        assert.deepEqual([hex(list.hash(i)), list.size(i), offsets[i]], [hex(r.hash), r.size, off])
        off += r.size
      })
    }), { numRuns: 300 })
  })

  test('property: a builder that grows many times makes the same list', () => {
    fc.assert(fc.property(refs, fc.integer({ min: 0, max: 3 }), (rs, expected) => {
      const b = new ChunkListBuilder(expected)
      for (const r of rs) b.push(r.hash, r.size)
      assert.equal(b.length, rs.length)
      assert.deepEqual(b.finish().bytes, ChunkList.of(rs).bytes)
    }), { numRuns: 200 })
  })

  test('property: indexOf is the first index holding the hash, or -1', () => {
    fc.assert(fc.property(refs, fc.oneof(pooled, anyHash, fc.uint8Array({ maxLength: 33 })), (rs, probe) => {
      const list = ChunkList.of(rs)
      const model = rs.findIndex(r => hex(r.hash) === hex(probe))
      assert.equal(list.indexOf(probe), probe.byteLength === 32 ? model : -1)
      for (const [i, r] of rs.entries()) assert.equal(list.indexOf(r.hash), rs.findIndex(x => hex(x.hash) === hex(r.hash)), `chunk ${i}`)
    }), { numRuns: 300 })
  })

  test('property: firstIndexes maps each chunk to the first chunk with its hash', () => {
    fc.assert(fc.property(refs, rs => {
      const first = ChunkList.of(rs).firstIndexes()
      assert.deepEqual([...first], rs.map(r => rs.findIndex(x => hex(x.hash) === hex(r.hash))))
    }), { numRuns: 300 })
  })
})
