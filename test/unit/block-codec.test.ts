// Chunks on the wire: zstd when it pays, raw otherwise; nothing is accepted that does not
// decompress to exactly the promised size and hash.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { zstdCompressSync } from 'node:zlib'
import fc from 'fast-check'
import { compressBlock, openBlock, type StoredBlock } from '../../src/net/block-codec.ts'
import { CHUNK_MAX } from '../../src/protocol/constants.ts'

const sha = (b: Uint8Array): Uint8Array => createHash('sha256').update(b).digest()
const text = (n: number): Uint8Array => Buffer.from('the quick brown fox jumps over the lazy dog. '.repeat(Math.ceil(n / 45)).slice(0, n))
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0

function assertBadBlock (fn: () => unknown): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof Error)
    assert.equal(err.name, 'ProtocolError')
    assert.equal((err as Error & { code: string }).code, 'ERR_BAD_BLOCK')
    return true
  })
}

describe('compressBlock', () => {
  test('compressible data goes as zstd, smaller', () => {
    for (const n of [1000, 64 * 1024, CHUNK_MAX]) {
      const data = text(n)
      const b = compressBlock(data)
      assert.equal(b.zstd, true, `${n} bytes of text`)
      assert.ok(b.data.byteLength < n / 4, `${n} bytes of text packed to ${b.data.byteLength}`)
    }
  })

  test('random data goes raw, the same bytes', () => {
    for (const n of [100, 5000, 64 * 1024, CHUNK_MAX]) {
      const data = randomBytes(n)
      const b = compressBlock(data)
      assert.equal(b.zstd, false, `${n} random bytes`)
      assert.ok(same(b.data, data))
    }
  })

  test('a chunk whose first 4 KiB do not compress is taken as incompressible', () => {
    const data = Buffer.concat([randomBytes(4096), text(60 * 1024)])
    assert.equal(compressBlock(data).zstd, false)
  })

  test('the empty chunk goes raw', () => {
    const b = compressBlock(new Uint8Array(0))
    assert.equal(b.zstd, false)
    assert.equal(b.data.byteLength, 0)
  })
})

describe('openBlock', () => {
  test('round trip: compressible, random, empty, one byte', () => {
    for (const data of [text(70_000), randomBytes(70_000), new Uint8Array(0), Uint8Array.of(42), new Uint8Array(CHUNK_MAX)]) {
      assert.ok(same(openBlock(compressBlock(data), sha(data), data.byteLength), data))
    }
  })

  test('property: every chunk comes back byte for byte', () => {
    const chunk = fc.oneof(
      fc.uint8Array({ maxLength: 20_000, size: 'max' }),
      fc.tuple(fc.string({ maxLength: 20 }), fc.integer({ min: 1, max: 2000 })).map(([s, n]) => Buffer.from(s.repeat(n)))
    )
    fc.assert(fc.property(chunk, data => {
      const b = compressBlock(data)
      assert.ok(b.data.byteLength <= data.byteLength, 'never bigger than raw')
      assert.ok(same(openBlock(b, sha(data), data.byteLength), data))
    }), { numRuns: 200 })
  })

  test('a tampered zstd block is refused', () => {
    const data = text(50_000)
    const b = compressBlock(data)
    assert.equal(b.zstd, true)
    for (const at of [0, 4, Math.floor(b.data.byteLength / 2), b.data.byteLength - 1]) {
      const bad = Uint8Array.from(b.data)
      bad[at]! ^= 0x41
      assertBadBlock(() => openBlock({ data: bad, zstd: true }, sha(data), data.byteLength))
    }
    assertBadBlock(() => openBlock({ data: b.data.subarray(0, b.data.byteLength - 3), zstd: true }, sha(data), data.byteLength))
  })

  test('a tampered raw block is refused', () => {
    const data = randomBytes(10_000)
    const bad = Uint8Array.from(data)
    bad[5000]! ^= 1
    assertBadBlock(() => openBlock({ data: bad, zstd: false }, sha(data), data.byteLength))
    assertBadBlock(() => openBlock({ data: data.subarray(1), zstd: false }, sha(data), data.byteLength))
  })

  test('the wrong hash, the wrong size or the wrong zstd flag is refused', () => {
    const data = text(20_000)
    const b = compressBlock(data)
    const other = sha(Buffer.from('something else'))
    assertBadBlock(() => openBlock(b, other, data.byteLength))
    assertBadBlock(() => openBlock(b, sha(data).subarray(0, 31), data.byteLength))
    assertBadBlock(() => openBlock(b, sha(data), data.byteLength - 1))
    assertBadBlock(() => openBlock(b, sha(data), data.byteLength + 1))
    assertBadBlock(() => openBlock({ data: b.data, zstd: false }, sha(data), data.byteLength))
    assertBadBlock(() => openBlock({ data: data, zstd: true }, sha(data), data.byteLength))
  })

  /** A hand-made zstd frame of RLE blocks: 4 bytes each on the wire, 128 KiB each decompressed. */
  function rleBomb (blocks: number): Uint8Array {
    const out = Buffer.alloc(6 + blocks * 4)
    out.writeUInt32LE(0xfd2fb528, 0) // magic
    out[4] = 0x00 // frame header: no content size, not single-segment, no checksum
    out[5] = 0x38 // window descriptor: 2^17 bytes
    for (let i = 0; i < blocks; i++) {
      const last = i === blocks - 1 ? 1 : 0
      out.writeUIntLE((131072 << 3) | (1 << 1) | last, 6 + i * 4, 3) // RLE block of 128 KiB
      out[6 + i * 4 + 3] = 0x61
    }
    return out
  }

  test('a zstd bomb (decompresses beyond the promised size) is refused without inflating it', () => {
    const bomb: StoredBlock = { data: rleBomb(2048), zstd: true } // 8 KiB that inflate to 256 MiB
    const before = process.memoryUsage().rss
    assertBadBlock(() => openBlock(bomb, new Uint8Array(32), CHUNK_MAX))
    assertBadBlock(() => openBlock(bomb, new Uint8Array(32), 0))
    const grown = process.memoryUsage().rss - before
    assert.ok(grown < 64 * 1024 * 1024, `opening the bomb grew the process by ${grown >> 20} MiB`)
  })

  test('a zstd bomb made by the real compressor is refused', () => {
    const zeros = new Uint8Array(4 * 1024 * 1024)
    assertBadBlock(() => openBlock({ data: zstdCompressSync(zeros), zstd: true }, sha(zeros), CHUNK_MAX))
  })

  test('one byte beyond the promised size is refused; exactly the size is fine', () => {
    const data = new Uint8Array(10_001)
    const packed: StoredBlock = { data: zstdCompressSync(data), zstd: true }
    assertBadBlock(() => openBlock(packed, sha(data.subarray(0, 10_000)), 10_000))
    assert.ok(same(openBlock(packed, sha(data), 10_001), data))
  })

  test('property: arbitrary bytes claimed as zstd open or throw ProtocolError ERR_BAD_BLOCK', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat({ max: 1000 }), (bytes, size) => {
      try {
        openBlock({ data: bytes, zstd: true }, new Uint8Array(32), size)
        assert.fail('opened a block against an all-zero hash')
      } catch (err) {
        assert.equal((err as Error).name, 'ProtocolError')
        assert.equal((err as Error & { code: string }).code, 'ERR_BAD_BLOCK')
      }
    }), { numRuns: 500 })
  })
})
