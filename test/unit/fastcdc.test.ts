// FastCDC: chunk lengths within bounds, deterministic, and boundaries that survive an insert.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { chunkLengths, nextCut, type ChunkerOptions } from '../../src/chunk/fastcdc.ts'
import { GEAR } from '../../src/chunk/gear-table.ts'
import { CHUNK_AVG, CHUNK_MAX, CHUNK_MIN } from '../../src/protocol/constants.ts'

const REAL: ChunkerOptions = { min: CHUNK_MIN, avg: CHUNK_AVG, max: CHUNK_MAX }
const SMALL: ChunkerOptions = { min: 64, avg: 256, max: 1024 }
const MEDIUM: ChunkerOptions = { min: 1024, avg: 4096, max: 16384 }
const KiB = 1024
const MiB = 1024 * KiB

/** Pseudo-random bytes from a seed (xorshift32): fast, and the same bytes on every run. */
function prng (seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length)
  let x = (seed | 0) || 0x9e3779b9
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x >>> 24
  }
  return out
}

function insertAt (buf: Uint8Array, pos: number, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(buf.length + bytes.length)
  out.set(buf.subarray(0, pos), 0)
  out.set(bytes, pos)
  out.set(buf.subarray(pos), pos + bytes.length)
  return out
}

/** End offsets of the chunks. */
function boundaries (lengths: number[]): number[] {
  let end = 0
  return lengths.map(len => (end += len))
}

function chunkHashes (buf: Uint8Array, opts: ChunkerOptions): string[] {
  let start = 0
  return chunkLengths(buf, opts).map(len => {
    const h = createHash('sha256').update(buf.subarray(start, start + len)).digest('hex')
    start += len
    return h
  })
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)

function assertLengthRules (lengths: number[], total: number, opts: ChunkerOptions): void {
  assert.equal(sum(lengths), total)
  lengths.forEach((len, i) => {
    const last = i === lengths.length - 1
    if (last) assert.ok(len >= 1 && len <= opts.max, `last chunk of ${len} bytes`)
    else assert.ok(len >= opts.min && len <= opts.max, `chunk ${i} of ${len} bytes outside [${opts.min}, ${opts.max}]`)
  })
}

describe('chunk lengths', () => {
  test('empty input has no chunks', () => {
    assert.deepEqual(chunkLengths(new Uint8Array(0), SMALL), [])
    assert.deepEqual(chunkLengths(new Uint8Array(0), REAL), [])
  })

  test('input up to min bytes is one chunk', () => {
    for (const n of [1, 2, SMALL.min - 1, SMALL.min]) assert.deepEqual(chunkLengths(prng(n, n), SMALL), [n])
  })

  test('property: every chunk is within [min, max] but the last (>= 1), and they add up to the input', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 20_000, size: 'max' }), buf => {
      assertLengthRules(chunkLengths(buf, SMALL), buf.length, SMALL)
    }), { numRuns: 150 })
  })

  test('property: the same holds for the real options on random data of up to 2 MiB', () => {
    fc.assert(fc.property(fc.integer(), fc.noBias(fc.integer({ min: 1, max: 2 * MiB })), (seed, n) => {
      assertLengthRules(chunkLengths(prng(seed, n), REAL), n, REAL)
    }), { numRuns: 8 })
  })

  test('property: low-entropy input (few distinct bytes, long runs) also keeps the bounds', () => {
    const runs = fc.array(fc.record({ byte: fc.constantFrom(0, 1, 0xff), len: fc.integer({ min: 1, max: 3000 }) }), { maxLength: 30 })
    fc.assert(fc.property(runs, rs => {
      const buf = new Uint8Array(sum(rs.map(r => r.len)))
      let at = 0
      for (const r of rs) { buf.fill(r.byte, at, at + r.len); at += r.len }
      assertLengthRules(chunkLengths(buf, SMALL), buf.length, SMALL)
    }), { numRuns: 100 })
  })

  test('all-zero input is cut into max-size chunks', () => {
    assert.deepEqual(chunkLengths(new Uint8Array(MiB), REAL), [CHUNK_MAX, CHUNK_MAX, CHUNK_MAX, CHUNK_MAX])
    assert.deepEqual(chunkLengths(new Uint8Array(MiB + 100), REAL), [CHUNK_MAX, CHUNK_MAX, CHUNK_MAX, CHUNK_MAX, 100])
    assert.deepEqual(chunkLengths(new Uint8Array(10 * SMALL.max), SMALL), Array(10).fill(SMALL.max))
  })

  test('average chunk size on random data is near avg (0.5x to 2x)', () => {
    for (const [opts, n] of [[REAL, 4 * MiB], [MEDIUM, MiB], [SMALL, 256 * KiB]] as const) {
      const lengths = chunkLengths(prng(12345, n), opts)
      const mean = n / lengths.length
      assert.ok(mean >= opts.avg / 2 && mean <= opts.avg * 2, `mean ${mean} for avg ${opts.avg}`)
    }
  })
})

describe('determinism', () => {
  test('property: chunking the same bytes twice, or a copy of them, gives the same lengths', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 10_000, size: 'max' }), buf => {
      assert.deepEqual(chunkLengths(buf, SMALL), chunkLengths(Uint8Array.from(buf), SMALL))
    }), { numRuns: 100 })
  })

  test('the gear table is the documented derivation (SHA-256 of "distsync-gear-v1-<i>")', () => {
    // every peer must cut the same boundaries: the table is pinned to its label, not to a random source
    assert.equal(GEAR.length, 256)
    for (const i of [0, 8, 128, 248]) {
      const digest = createHash('sha256').update(`distsync-gear-v1-${i}`).digest()
      for (let j = 0; j < 8; j++) assert.equal(GEAR[i + j], digest.readUInt32LE(j * 4), `GEAR[${i + j}]`)
    }
  })

  test('property: a cut does not depend on bytes after it (streaming with final=false agrees)', () => {
    // the file reader sees a window, not the whole file: a cut found in a window must be the real one
    fc.assert(fc.property(fc.integer(), fc.integer({ min: 0, max: 3 * SMALL.max }), fc.integer({ min: 0, max: 3 * SMALL.max }), (seed, n, t) => {
      const buf = prng(seed, n)
      const truth = nextCut(buf, 0, n, SMALL, true)
      const end = Math.min(t, n)
      const partial = nextCut(buf, 0, end, SMALL, false)
      if (partial !== 0) assert.equal(partial, truth)
      if (end >= SMALL.max) assert.equal(partial, truth, 'a window of max bytes always yields the cut')
    }), { numRuns: 300 })
  })

  test('property: chunking through a sliding window (as the file reader does) matches chunkLengths', () => {
    fc.assert(fc.property(fc.integer(), fc.noBias(fc.integer({ min: 0, max: 40_000 })), fc.integer({ min: SMALL.max, max: 3 * SMALL.max }), (seed, n, window) => {
      const buf = prng(seed, n)
      const streamed: number[] = []
      let start = 0
      while (start < n) {
        const end = Math.min(n, start + window)
        const len = nextCut(buf, start, end, SMALL, end === n)
        assert.ok(len > 0, 'a window of at least max bytes always yields a cut')
        streamed.push(len)
        start += len
      }
      assert.deepEqual(streamed, chunkLengths(buf, SMALL))
    }), { numRuns: 100 })
  })
})

describe('boundary stability under inserts', () => {
  const edit = (maxLen: number, maxInsert: number) => fc.record({
    seed: fc.integer(),
    n: fc.noBias(fc.integer({ min: 1, max: maxLen })),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    insertSeed: fc.integer(),
    k: fc.integer({ min: 1, max: maxInsert })
  })

  test('property: boundaries before the insert stay; once a boundary lines up again, all later ones do', () => {
    fc.assert(fc.property(edit(64 * KiB, 300), ({ seed, n, at, insertSeed, k }) => {
      const before = prng(seed, n)
      const pos = Math.floor(at * n)
      const after = insertAt(before, pos, prng(insertSeed, k))
      const oldB = boundaries(chunkLengths(before, SMALL))
      const newB = boundaries(chunkLengths(after, SMALL))
      const newSet = new Set(newB)

      // a boundary at or before the insert depends only on bytes before it (the end of input excepted)
      for (const b of oldB) if (b <= pos && b < n) assert.ok(newSet.has(b), `boundary ${b} before the insert at ${pos} moved`)

      // the first old boundary past the insert that reappears, shifted by k, re-synchronises everything after it
      const sync = oldB.find(b => b > pos && newSet.has(b + k))
      if (sync != null) {
        const oldTail = oldB.filter(b => b >= sync).map(b => b + k)
        const newTail = newB.filter(b => b >= sync + k)
        assert.deepEqual(newTail, oldTail)
      }
    }), { numRuns: 200 })
  })

  test('property: a small insert into 256 KiB to 2 MiB of random data changes at most 3 chunks (real options)', () => {
    fc.assert(fc.property(
      fc.integer(), fc.noBias(fc.integer({ min: 256 * KiB, max: 2 * MiB })), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer(), fc.integer({ min: 1, max: 64 }),
      (seed, n, at, insertSeed, k) => {
        const before = prng(seed, n)
        const pos = Math.floor(at * n)
        const after = insertAt(before, pos, prng(insertSeed, k))
        const old = new Set(chunkHashes(before, REAL))
        const fresh = chunkHashes(after, REAL).filter(h => !old.has(h))
        assert.ok(fresh.length >= 1, 'the chunk holding the insert is new')
        assert.ok(fresh.length <= 3, `${fresh.length} chunks changed for an insert of ${k} bytes`)
      }), { numRuns: 12 })
  })

  test('over 200 fixed edits of 64-256 KiB (avg 4 KiB), nearly all change one or two chunks, none many', () => {
    // resynchronisation is probabilistic per edit; fixed seeds make this a stable statistic
    const changed: number[] = []
    for (let t = 1; t <= 200; t++) {
      const n = 64 * KiB + (t * 7919) % (192 * KiB)
      const before = prng(t, n)
      const pos = (t * 104_729) % n
      const after = insertAt(before, pos, prng(-t, 1 + t % 16))
      const old = new Set(chunkHashes(before, MEDIUM))
      changed.push(chunkHashes(after, MEDIUM).filter(h => !old.has(h)).length)
    }
    const few = changed.filter(c => c <= 2).length
    assert.ok(few >= 190, `only ${few}/200 edits changed at most 2 chunks`)
    assert.ok(Math.max(...changed) <= 12, `an edit changed ${Math.max(...changed)} chunks`)
  })
})
