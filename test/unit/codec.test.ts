// The wire codec: what goes out comes back the same, and nothing a hostile peer sends gets past
// it other than as a ProtocolError (or an invalid-* message that names the one change refused).
import { test, describe } from 'node:test'
import { ChunkList } from '../../src/chunk/chunk-list.ts'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { Uint8ArrayList } from 'uint8arraylist'
import {
  decodeBlock, decodeBlockRequest, decodeClientMessage, decodeHubMessage,
  encodeBlock, encodeBlockRequest, encodeClientMessage, encodeHubMessage,
  type AttachedBlock, type Block, type ClientMessage, type HubMessage, type Outcome
} from '../../src/protocol/codec.ts'
import { CHUNK_MAX, HASH_BYTES, INLINE_FILE_MAX, MAX_ATTACHED_BLOCKS, MAX_CHUNKS_PER_ENTRY, MAX_HASHES_PER_REQUEST, MAX_SYMLINK_TARGET_BYTES } from '../../src/protocol/constants.ts'
import { checkRelativePath } from '../../src/fs/safe-path.ts'
import * as wire from '../../src/protocol/messages.ts'
import type { ChunkRef, Entry } from '../../src/index/entry.ts'

// ---- arbitraries: only what a correct peer sends ----

/** decoded messages are plain objects: so must the expectations be */
const PLAIN = { noNullPrototype: true } as const

const hash = fc.uint8Array({ minLength: HASH_BYTES, maxLength: HASH_BYTES })
const safeSeq = fc.oneof(fc.constantFrom(0, 1, Number.MAX_SAFE_INTEGER), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }))
const folderName = fc.oneof(fc.constant('default'), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/))
const uint32 = fc.integer({ min: 0, max: 0xffffffff })
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
// INT64_MIN itself is left to its own (todo) test below: protons-runtime mis-encodes it
const mtime = fc.oneof(
  fc.constantFrom(0n, -1n, INT64_MIN + 1n, INT64_MAX, 2n ** 53n + 1n, -(2n ** 53n) - 1n),
  fc.bigInt({ min: INT64_MIN + 1n, max: INT64_MAX })
)

const component = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9 _.-]{1,16}$/),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 })
)
/** Paths the checker accepts, already in NFC (so they come back byte for byte). */
const path = fc.array(component, { minLength: 1, maxLength: 4 })
  .map(parts => parts.join('/').normalize('NFC'))
  .filter(p => { try { return checkRelativePath(p) === p } catch { return false } })

const chunks: fc.Arbitrary<ChunkRef[]> = fc.array(fc.record({ hash, size: fc.oneof(fc.constantFrom(1, CHUNK_MAX), fc.integer({ min: 1, max: CHUNK_MAX })) }, PLAIN), { maxLength: 6 })

const smallChunks: fc.Arbitrary<ChunkRef[]> = fc.array(fc.record({ hash, size: fc.integer({ min: 1, max: INLINE_FILE_MAX / 4 }) }, PLAIN), { maxLength: 4 })
const liveFile: fc.Arbitrary<Entry> = fc.record({ path, mtimeNs: mtime, exec: fc.boolean(), hash, chunks: fc.oneof(chunks, smallChunks) }, PLAIN)
  .map(r => ({ ...r, kind: 'file' as const, size: r.chunks.reduce((n, c) => n + c.size, 0), chunks: ChunkList.of(r.chunks), deleted: false, target: '' }))
const liveDir: fc.Arbitrary<Entry> = fc.record({ path, mtimeNs: mtime, exec: fc.boolean() }, PLAIN)
  .map(r => ({ ...r, kind: 'dir' as const, size: 0, deleted: false, hash: new Uint8Array(0), chunks: ChunkList.EMPTY, target: '' }))
const target = fc.string({ minLength: 1, maxLength: 40 }).filter(t => !t.includes('\0'))
const liveLink: fc.Arbitrary<Entry> = fc.record({ path, mtimeNs: mtime, target }, PLAIN)
  .map(r => ({ ...r, kind: 'symlink' as const, size: 0, exec: false, deleted: false, hash: new Uint8Array(0), chunks: ChunkList.EMPTY }))
const deleted: fc.Arbitrary<Entry> = fc.record({ path, mtimeNs: mtime, kind: fc.constantFrom('file' as const, 'dir' as const, 'symlink' as const) }, PLAIN)
  .map(r => ({ ...r, size: 0, exec: false, deleted: true, hash: new Uint8Array(0), chunks: ChunkList.EMPTY, target: '' }))
const entry = fc.oneof(liveFile, liveDir, liveLink, deleted)

/** What may travel with an entry: some of a small live file's chunks, none bigger than its chunk. */
function attachedTo (e: Entry): fc.Arbitrary<AttachedBlock[]> {
  if (e.deleted || e.kind !== 'file' || e.size > INLINE_FILE_MAX) return fc.constant([])
  return fc.subarray([...e.chunks]).chain(refs => fc.tuple(...refs.map(r =>
    fc.record({ data: fc.uint8Array({ maxLength: Math.min(r.size, 64) }), zstd: fc.boolean() }, PLAIN).map(b => ({ hash: Uint8Array.from(r.hash), ...b })))))
}
const withBlocks = <T extends { entry: Entry }>(rec: fc.Arbitrary<T>): fc.Arbitrary<T & { blocks: AttachedBlock[] }> =>
  rec.chain(r => attachedTo(r.entry).map(blocks => ({ ...r, blocks })))

const clientMessage: fc.Arbitrary<ClientMessage> = fc.oneof(
  fc.record({ sinceSeq: safeSeq, folder: folderName, addrs: fc.array(fc.constantFrom('/ip4/127.0.0.1/tcp/4001', '/ip6/::1/tcp/9'), { maxLength: 3 }) }, PLAIN).map(hello => ({ type: 'hello' as const, hello })),
  safeSeq.map(seq => ({ type: 'applied' as const, seq })),
  fc.record({ frames: safeSeq, bytes: safeSeq }, PLAIN).map(p => ({ type: 'progress' as const, ...p })),
  withBlocks(fc.record({ id: uint32, entry, baseSeq: safeSeq }, PLAIN)).map(propose => ({ type: 'propose' as const, propose }))
)
const peerText = fc.constantFrom('12D3KooWA', '12D3KooWB', 'QmC')
const holders = fc.record({ peers: fc.array(peerText, { maxLength: 3 }), held: fc.boolean() }, PLAIN)
const outcome = fc.constantFrom<Outcome>('accepted', 'superseded', 'rejected')
const hubMessage: fc.Arbitrary<HubMessage> = fc.oneof(
  withBlocks(fc.record({ entry, seq: safeSeq, origin: fc.string(), holders }, PLAIN)).map(changed => ({ type: 'changed' as const, changed })),
  fc.record({ reset: fc.boolean(), joined: fc.array(fc.record({ peer: peerText, addrs: fc.array(fc.constant('/ip4/10.0.0.1/tcp/1'), { maxLength: 2 }) }, PLAIN), { maxLength: 4 }), left: fc.array(peerText, { maxLength: 3 }) }, PLAIN).map(update => ({ type: 'members' as const, update })),
  fc.record({ seq: safeSeq, holders }, PLAIN).map(h => ({ type: 'holders' as const, ...h })),
  fc.record({ id: uint32, outcome, seq: safeSeq, reason: fc.string(), current: entry }, { requiredKeys: ['id', 'outcome', 'seq', 'reason'], noNullPrototype: true })
    .map(result => ({ type: 'result' as const, result })),
  safeSeq.map(seq => ({ type: 'caught-up' as const, seq }))
)
const block: fc.Arbitrary<Block> = fc.record({ hash, data: fc.uint8Array({ maxLength: 4096 }), zstd: fc.boolean(), missing: fc.boolean() }, PLAIN)

/** The same bytes, delivered as a list of pieces (as a stream reader hands them over). */
function inPieces (buf: Uint8Array, cuts: number[]): Uint8ArrayList {
  const list = new Uint8ArrayList()
  let at = 0
  for (const c of [...cuts.map(x => x % (buf.length + 1))].sort((a, b) => a - b)) {
    list.append(buf.subarray(at, c))
    at = c
  }
  list.append(buf.subarray(at))
  return list
}

describe('round trips', () => {
  test('property: client messages (hello, propose)', () => {
    fc.assert(fc.property(clientMessage, m => {
      assert.deepEqual(decodeClientMessage(encodeClientMessage(m)), m)
    }), { numRuns: 300 })
  })

  test('property: hub messages (changed, result, caught-up)', () => {
    fc.assert(fc.property(hubMessage, m => {
      assert.deepEqual(decodeHubMessage(encodeHubMessage(m)), m)
    }), { numRuns: 300 })
  })

  test('property: a message split across pieces decodes the same', () => {
    fc.assert(fc.property(hubMessage, fc.array(fc.nat(), { maxLength: 4 }), (m, cuts) => {
      assert.deepEqual(decodeHubMessage(inPieces(encodeHubMessage(m), cuts)), m)
    }), { numRuns: 100 })
  })

  test('property: block requests', () => {
    fc.assert(fc.property(fc.array(hash, { maxLength: 40 }), hashes => {
      assert.deepEqual(decodeBlockRequest(encodeBlockRequest(hashes)), hashes)
    }), { numRuns: 200 })
  })

  test('a block request of exactly MAX_HASHES_PER_REQUEST hashes', () => {
    const hashes = Array.from({ length: MAX_HASHES_PER_REQUEST }, (_, i) => new Uint8Array(HASH_BYTES).fill(i & 0xff))
    assert.equal(decodeBlockRequest(encodeBlockRequest(hashes)).length, MAX_HASHES_PER_REQUEST)
  })

  test('property: blocks', () => {
    fc.assert(fc.property(block, b => {
      assert.deepEqual(decodeBlock(encodeBlock(b)), b)
      assert.deepEqual(decodeBlock(encodeBlock(b).subarray()), b)
    }), { numRuns: 200 })
  })

  test('a block frame of every length class decodes to the same chunk, as does a frame in field order (older peers)', () => {
    for (const size of [0, 1, 127, 128, 16383, 16384, CHUNK_MAX]) {
      const b: Block = { hash: new Uint8Array(HASH_BYTES).fill(7), data: new Uint8Array(size).fill(size & 0xff), zstd: size % 2 === 0, missing: false }
      assert.deepEqual(decodeBlock(encodeBlock(b).subarray()), b, `${size} bytes`)
      const inOrder = wire.Block.encode({ ...b, hash: b.hash as Uint8Array<ArrayBuffer>, data: b.data as Uint8Array<ArrayBuffer> })
      assert.equal(encodeBlock(b).byteLength, inOrder.byteLength, `${size} bytes: same size as the plain encoding`)
      assert.deepEqual(decodeBlock(inOrder), b)
    }
  })

  const mtimeRoundTrip = (mtimeNs: bigint): bigint | false => {
    const e: Entry = { path: 'a', kind: 'dir', size: 0, mtimeNs, exec: false, deleted: false, hash: new Uint8Array(0), chunks: ChunkList.EMPTY, target: '' }
    const got = decodeHubMessage(encodeHubMessage({ type: 'changed', changed: { entry: e, seq: 1, origin: 'p', blocks: [], holders: { peers: [], held: true } } }))
    return got.type === 'changed' && got.changed.entry.mtimeNs
  }

  test('mtimes beyond 2^53 and before 1970 keep every nanosecond', () => {
    for (const mtimeNs of [INT64_MAX, INT64_MIN + 1n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, -1n, 1_767_323_045_123_456_789n, -1_000_000_000_000_000_000n]) {
      assert.equal(mtimeRoundTrip(mtimeNs), mtimeNs)
    }
  })

  test('negative mtimes below -2^53 that are multiples of 2^32 keep every nanosecond', { todo: 'BUG in protons-runtime 7.1.2 LongBits.fromBigInt (dist/src/utils/longbits.js:116-124): the two\'s-complement carry is lost, so e.g. INT64_MIN decodes as 9223372032559808512n' }, () => {
    for (const mtimeNs of [INT64_MIN, -(2n ** 62n), -(2n ** 32n) * (2n ** 22n)]) {
      assert.equal(mtimeRoundTrip(mtimeNs), mtimeNs)
    }
  })

  test('a path sent in NFD arrives in NFC', () => {
    const e: Entry = { path: 'Cafe\u0301', kind: 'dir', size: 0, mtimeNs: 0n, exec: false, deleted: false, hash: new Uint8Array(0), chunks: ChunkList.EMPTY, target: '' }
    const got = decodeClientMessage(encodeClientMessage({ type: 'propose', propose: { id: 1, entry: e, baseSeq: 0, blocks: [] } }))
    assert.equal(got.type === 'propose' && got.propose.entry.path, 'Caf\u00e9')
  })
})

// ---- hostile input ----

function isProtocolError (err: unknown, code?: string): boolean {
  return err instanceof Error && err.name === 'ProtocolError' && typeof (err as { code?: unknown }).code === 'string' && (code == null || (err as { code?: unknown }).code === code)
}
function assertDecodesOrProtocolError (decode: () => unknown): void {
  try {
    decode()
  } catch (err) {
    assert.ok(isProtocolError(err), `threw ${(err as Error).name}: ${(err as Error).message}`)
  }
}

const fileEntry = (more: Partial<Entry> = {}): Entry => {
  const h = new Uint8Array(HASH_BYTES).fill(7)
  return { path: 'dir/file.bin', kind: 'file', size: 300, mtimeNs: 1n, exec: false, deleted: false, hash: h, chunks: ChunkList.of([{ hash: h, size: 100 }, { hash: h, size: 200 }]), target: '', ...more }
}
const proposeBytes = (e: Entry, id = 77, baseSeq = 3, blocks: AttachedBlock[] = []): Uint8Array => encodeClientMessage({ type: 'propose', propose: { id, entry: e, baseSeq, blocks } })
const changedBytes = (e: Entry, seq = 42, blocks: AttachedBlock[] = []): Uint8Array => encodeHubMessage({ type: 'changed', changed: { entry: e, seq, origin: 'peer', blocks, holders: { peers: [], held: true } } })

describe('hostile input', () => {
  const decoders: Array<[string, (b: Uint8Array) => unknown]> = [
    ['decodeClientMessage', decodeClientMessage],
    ['decodeHubMessage', decodeHubMessage],
    ['decodeBlockRequest', decodeBlockRequest],
    ['decodeBlock', decodeBlock]
  ]

  for (const [name, decode] of decoders) {
    test(`property: random bytes to ${name} decode or throw ProtocolError`, () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 300, size: 'max' }), bytes => {
        assertDecodesOrProtocolError(() => decode(bytes))
      }), { numRuns: 2000 })
    })
  }

  const mutate = (valid: fc.Arbitrary<Uint8Array>) => fc.tuple(valid, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 4 }), fc.option(fc.nat()))
    .map(([bytes, edits, cut]) => {
      const out = Uint8Array.from(bytes)
      for (const [at, value] of edits) if (out.length > 0) out[at % out.length] = value
      return cut == null ? out : out.subarray(0, cut % (out.length + 1))
    })

  test('property: mutated client messages decode or throw ProtocolError', () => {
    fc.assert(fc.property(mutate(clientMessage.map(encodeClientMessage)), bytes => {
      assertDecodesOrProtocolError(() => decodeClientMessage(bytes))
    }), { numRuns: 1000 })
  })

  test('property: mutated changed and caught-up messages decode or throw ProtocolError', () => {
    const noResult = hubMessage.filter(m => m.type !== 'result')
    fc.assert(fc.property(mutate(noResult.map(encodeHubMessage)), bytes => {
      assertDecodesOrProtocolError(() => decodeHubMessage(bytes))
    }), { numRuns: 1000 })
  })

  test('property: mutated results decode or throw ProtocolError', () => {
    const result = hubMessage.filter(m => m.type === 'result')
    fc.assert(fc.property(mutate(result.map(encodeHubMessage)), bytes => {
      assertDecodesOrProtocolError(() => decodeHubMessage(bytes))
    }), { numRuns: 1000 })
  })

  test('property: mutated blocks and block requests decode or throw ProtocolError', () => {
    fc.assert(fc.property(mutate(block.map(b => encodeBlock(b).subarray())), mutate(fc.array(hash, { maxLength: 5 }).map(encodeBlockRequest)), (b, r) => {
      assertDecodesOrProtocolError(() => decodeBlock(b))
      assertDecodesOrProtocolError(() => decodeBlockRequest(r))
    }), { numRuns: 1000 })
  })

  test('an empty buffer is no message (client, hub) and no block', () => {
    assert.throws(() => decodeClientMessage(new Uint8Array(0)), { name: 'ProtocolError', code: 'ERR_UNKNOWN_MESSAGE' })
    assert.throws(() => decodeHubMessage(new Uint8Array(0)), { name: 'ProtocolError', code: 'ERR_UNKNOWN_MESSAGE' })
    assert.throws(() => decodeBlock(new Uint8Array(0)), { name: 'ProtocolError', code: 'ERR_BAD_HASH' })
    assert.deepEqual(decodeBlockRequest(new Uint8Array(0)), [])
  })

  test('a propose of "../etc/passwd" is an invalid-propose carrying its id', () => {
    const got = decodeClientMessage(proposeBytes(fileEntry({ path: '../etc/passwd' }), 1234))
    assert.equal(got.type, 'invalid-propose')
    assert.ok(got.type === 'invalid-propose')
    assert.equal(got.invalid.id, 1234)
    assert.equal(got.invalid.error.name, 'PathError')
    assert.equal((got.invalid.error as Error & { code: string }).code, 'ERR_PATH_TRAVERSAL')
  })

  test('a changed with an absolute path is an invalid-changed carrying its seq', () => {
    const got = decodeHubMessage(changedBytes(fileEntry({ path: '/etc/passwd' }), 42))
    assert.equal(got.type, 'invalid-changed')
    assert.ok(got.type === 'invalid-changed')
    assert.equal(got.seq, 42)
    assert.equal((got.error as Error & { code: string }).code, 'ERR_ABSOLUTE_PATH')
  })

  const h31 = new Uint8Array(31)
  const h33 = new Uint8Array(33)
  const good = new Uint8Array(HASH_BYTES).fill(1)
  const refused: Array<[string, Entry, string, string]> = [
    ['chunk sizes that add up to less than the size', fileEntry({ size: 301 }), 'ProtocolError', 'ERR_BAD_ENTRY'],
    ['chunk sizes that add up to more than the size', fileEntry({ size: 299 }), 'ProtocolError', 'ERR_BAD_ENTRY'],
    ['a non-empty file without chunks', fileEntry({ chunks: ChunkList.EMPTY }), 'ProtocolError', 'ERR_BAD_ENTRY'],
    ['a file hash of 31 bytes', fileEntry({ hash: h31 }), 'ProtocolError', 'ERR_BAD_HASH'],
    ['a file hash of 33 bytes', fileEntry({ hash: h33 }), 'ProtocolError', 'ERR_BAD_HASH'],
    ['an empty file hash', fileEntry({ hash: new Uint8Array(0) }), 'ProtocolError', 'ERR_BAD_HASH'],
    ['a chunk larger than CHUNK_MAX', fileEntry({ size: CHUNK_MAX + 1, chunks: ChunkList.of([{ hash: good, size: CHUNK_MAX + 1 }]) }), 'ProtocolError', 'ERR_BAD_ENTRY'],
    ['a chunk of 0 bytes', fileEntry({ size: 300, chunks: ChunkList.of([{ hash: good, size: 0 }, { hash: good, size: 300 }]) }), 'ProtocolError', 'ERR_BAD_ENTRY'],
    ['a directory with a size', { ...fileEntry(), kind: 'dir', chunks: ChunkList.EMPTY }, 'ProtocolError', 'ERR_BAD_ENTRY'],
    ['a directory with chunks', { ...fileEntry(), kind: 'dir', size: 0, chunks: ChunkList.of([{ hash: good, size: 1 }]) }, 'ProtocolError', 'ERR_BAD_ENTRY'],
    ['a tombstone with content', { ...fileEntry(), deleted: true }, 'ProtocolError', 'ERR_BAD_ENTRY'],
    ['a symlink without a target', { ...fileEntry(), kind: 'symlink', size: 0, chunks: ChunkList.EMPTY, target: '' }, 'ProtocolError', 'ERR_BAD_ENTRY'],
    ['a symlink target with NUL', { ...fileEntry(), kind: 'symlink', size: 0, chunks: ChunkList.EMPTY, target: 'a\0b' }, 'ProtocolError', 'ERR_BAD_ENTRY'],
    ['a symlink target over the limit', { ...fileEntry(), kind: 'symlink', size: 0, chunks: ChunkList.EMPTY, target: 't'.repeat(MAX_SYMLINK_TARGET_BYTES + 1) }, 'ProtocolError', 'ERR_BAD_ENTRY'],
    ['a path into the state dir', fileEntry({ path: '.distsync/index.db' }), 'PathError', 'ERR_RESERVED_PATH'],
    ['a path with a backslash', fileEntry({ path: '..\\x' }), 'PathError', 'ERR_BACKSLASH_IN_PATH'],
    ['an empty path', fileEntry({ path: '' }), 'PathError', 'ERR_EMPTY_PATH']
  ]
  const seven = new Uint8Array(HASH_BYTES).fill(7)
  const blockOf = (hash: Uint8Array, bytes: number): AttachedBlock => ({ hash, data: new Uint8Array(bytes), zstd: false })
  const big = fileEntry({ size: INLINE_FILE_MAX + 1, chunks: ChunkList.of([{ hash: seven, size: INLINE_FILE_MAX + 1 }]) })
  const refusedBlocks: Array<[string, Entry, AttachedBlock[], string]> = [
    ['a block attached to a directory', { ...fileEntry(), kind: 'dir', size: 0, chunks: ChunkList.EMPTY }, [blockOf(seven, 1)], 'ERR_BAD_ENTRY'],
    ['a block attached to a tombstone', { ...fileEntry(), deleted: true, size: 0, chunks: ChunkList.EMPTY }, [blockOf(seven, 1)], 'ERR_BAD_ENTRY'],
    ['a block attached to a file over INLINE_FILE_MAX', big, [blockOf(seven, 1)], 'ERR_BAD_ENTRY'],
    ['a block that is not one of the file\'s chunks', fileEntry(), [blockOf(good, 1)], 'ERR_BAD_ENTRY'],
    ['a block bigger than its chunk', fileEntry({ size: 100, chunks: ChunkList.of([{ hash: seven, size: 100 }]) }), [blockOf(seven, 101)], 'ERR_BAD_ENTRY'],
    ['an attached block hash of 31 bytes', fileEntry(), [blockOf(h31, 1)], 'ERR_BAD_HASH']
  ]
  for (const [what, e, blocks, code] of refusedBlocks) {
    test(`refused: ${what} (${code}), in a propose and in a changed`, () => {
      const p = decodeClientMessage(proposeBytes(e, 9, 1, blocks))
      assert.ok(p.type === 'invalid-propose', `propose decoded as ${p.type}`)
      assert.equal((p.invalid.error as Error & { code: string }).code, code)
      const c = decodeHubMessage(changedBytes(e, 10, blocks))
      assert.ok(c.type === 'invalid-changed', `changed decoded as ${c.type}`)
      assert.equal((c.error as Error & { code: string }).code, code)
    })
  }

  test('more than MAX_ATTACHED_BLOCKS blocks is a malformed message (a proposal: refused alone, by its id)', () => {
    const blocks = Array.from({ length: MAX_ATTACHED_BLOCKS + 1 }, () => blockOf(seven, 1))
    const p = decodeClientMessage(proposeBytes(fileEntry(), 9, 1, blocks))
    assert.ok(p.type === 'invalid-propose', `propose decoded as ${p.type}`)
    assert.equal(p.invalid.id, 9)
    assert.equal((p.invalid.error as Error & { code: string }).code, 'ERR_MALFORMED')
    assert.throws(() => decodeHubMessage(changedBytes(fileEntry(), 10, blocks)), { name: 'ProtocolError', code: 'ERR_MALFORMED' })
  })

  for (const [what, e, name, code] of refused) {
    test(`refused: ${what} (${code}), in a propose and in a changed`, () => {
      const p = decodeClientMessage(proposeBytes(e, 9))
      assert.ok(p.type === 'invalid-propose', `propose decoded as ${p.type}`)
      assert.equal(p.invalid.id, 9)
      assert.equal(p.invalid.error.name, name)
      assert.equal((p.invalid.error as Error & { code: string }).code, code)
      const c = decodeHubMessage(changedBytes(e, 10))
      assert.ok(c.type === 'invalid-changed', `changed decoded as ${c.type}`)
      assert.equal(c.seq, 10)
      assert.equal((c.error as Error & { code: string }).code, code)
    })
  }

  test('accepted at the limits: a chunk of exactly CHUNK_MAX, a symlink target of exactly the limit, an empty file', () => {
    const big = fileEntry({ size: CHUNK_MAX, chunks: ChunkList.of([{ hash: good, size: CHUNK_MAX }]) })
    assert.equal(decodeClientMessage(proposeBytes(big)).type, 'propose')
    const link: Entry = { ...fileEntry(), kind: 'symlink', size: 0, chunks: ChunkList.EMPTY, target: 't'.repeat(MAX_SYMLINK_TARGET_BYTES) }
    assert.equal(decodeClientMessage(proposeBytes(link)).type, 'propose')
    assert.equal(decodeClientMessage(proposeBytes(fileEntry({ size: 0, chunks: ChunkList.EMPTY }))).type, 'propose')
  })

  // Our encoder cannot write a size or seq past 2^53; a hostile peer can. These messages are built
  // field by field: a scalar written twice takes its last value.
  const varint = (n: bigint): number[] => { const out: number[] = []; for (; n >= 128n; n >>= 7n) out.push(Number(n & 127n) | 128); out.push(Number(n)); return out }
  const scalar = (field: number, v: bigint): Uint8Array => Uint8Array.from([...varint(BigInt(field << 3)), ...varint(v)])
  const nested = (field: number, bytes: Uint8Array): Uint8Array => Uint8Array.from([...varint(BigInt(field << 3 | 2)), ...varint(BigInt(bytes.length)), ...bytes])
  const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts))
  const huge = 2n ** 60n
  const entryBytes = (e: Entry): Uint8Array => wire.Entry.encode({ ...e, kind: wire.Kind.FILE, hash: e.hash as Uint8Array<ArrayBuffer>, chunks: e.chunks.bytes as Uint8Array<ArrayBuffer> })

  test('a size or a seq beyond 2^53 is refused as a ProtocolError, in every message that carries one', () => {
    const hugeEntry = cat(entryBytes(fileEntry()), scalar(3, huge))
    const hostile: Array<[string, () => unknown]> = [
      ['propose: entry size', () => decodeClientMessage(nested(2, cat(scalar(1, 5n), nested(2, hugeEntry))))],
      ['propose: base seq', () => decodeClientMessage(nested(2, cat(scalar(1, 5n), nested(2, entryBytes(fileEntry())), scalar(3, huge))))],
      ['hello: since seq', () => decodeClientMessage(nested(1, scalar(1, huge)))],
      ['changed: entry size', () => decodeHubMessage(nested(1, cat(nested(1, hugeEntry), scalar(2, 1n))))],
      ['changed: seq', () => decodeHubMessage(nested(1, cat(nested(1, entryBytes(fileEntry())), scalar(2, huge))))],
      ['result: seq', () => decodeHubMessage(nested(2, cat(scalar(1, 1n), scalar(3, huge))))],
      ['caught-up: seq', () => decodeHubMessage(nested(3, scalar(1, huge)))]
    ]
    for (const [what, decodeIt] of hostile) {
      let got: unknown
      try { got = decodeIt() } catch (err) { got = err }
      const refused = isProtocolError(got) || (got as { type?: string }).type?.startsWith('invalid-') === true
      assert.ok(refused, `${what}: ${JSON.stringify(got, (_k, v: unknown) => typeof v === 'bigint' ? String(v) : v)}`)
    }
    // the same bytes with an honest value decode (the builders above are right)
    assert.equal((decodeClientMessage(nested(1, scalar(1, 7n))) as { hello: { sinceSeq: number } }).hello.sinceSeq, 7)
    assert.equal((decodeHubMessage(nested(3, scalar(1, 9n))) as { seq: number }).seq, 9)
  })

  test('sizes and seqs from 2^31 to 2^32 round trip (protons 7.1.2 wrote garbage for them as BigInt)', () => {
    for (const n of [2 ** 31 - 1, 2 ** 31, 3 * 2 ** 30, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1]) {
      assert.deepEqual(decodeClientMessage(encodeClientMessage({ type: 'hello', hello: { sinceSeq: n, folder: 'default', addrs: [] } })), { type: 'hello', hello: { sinceSeq: n, folder: 'default', addrs: [] } }, `hello ${n}`)
      assert.deepEqual(decodeHubMessage(encodeHubMessage({ type: 'caught-up', seq: n })), { type: 'caught-up', seq: n }, `caught-up ${n}`)
      const got = decodeHubMessage(encodeHubMessage({ type: 'result', result: { id: 1, outcome: 'accepted', seq: n, reason: '' } }))
      assert.ok(got.type === 'result' && got.result.seq === n, `result ${n}`)
      const changed = decodeHubMessage(changedBytes(fileEntry(), n))
      assert.ok(changed.type === 'changed' && changed.changed.seq === n, `changed ${n}`)
      const proposed = decodeClientMessage(proposeBytes(fileEntry(), 5, n))
      assert.ok(proposed.type === 'propose' && proposed.propose.baseSeq === n, `base seq ${n}`)
    }
    // a file of 2 GiB, 3 GiB and 4 GiB - 256 KiB: chunks of CHUNK_MAX
    const h = new Uint8Array(HASH_BYTES).fill(3)
    for (const chunks of [2 ** 31 / CHUNK_MAX, 3 * 2 ** 30 / CHUNK_MAX, 2 ** 32 / CHUNK_MAX - 1]) {
      const e = fileEntry({ size: chunks * CHUNK_MAX, chunks: ChunkList.of(Array.from({ length: chunks }, () => ({ hash: h, size: CHUNK_MAX }))) })
      const got = decodeClientMessage(proposeBytes(e))
      assert.ok(got.type === 'propose' && got.propose.entry.size === e.size, `a file of ${e.size} bytes: ${got.type}`)
    }
  })

  test('a result whose current entry is unsafe is refused as a ProtocolError', () => {
    const bytes = encodeHubMessage({ type: 'result', result: { id: 1, outcome: 'superseded', seq: 3, reason: 'x', current: fileEntry({ path: '/etc/passwd' }) } })
    assert.throws(() => decodeHubMessage(bytes), (err: unknown) => isProtocolError(err))
  })

  test('a result whose current entry is inconsistent is refused as a ProtocolError', () => {
    const bytes = encodeHubMessage({ type: 'result', result: { id: 1, outcome: 'superseded', seq: 3, reason: 'x', current: fileEntry({ size: 1 }) } })
    assert.throws(() => decodeHubMessage(bytes), { name: 'ProtocolError', code: 'ERR_BAD_ENTRY' })
  })

  test('block hashes of the wrong length are refused', () => {
    assert.throws(() => decodeBlock(encodeBlock({ hash: h31, data: new Uint8Array(1), zstd: false, missing: false })), { name: 'ProtocolError', code: 'ERR_BAD_HASH' })
    assert.throws(() => decodeBlockRequest(encodeBlockRequest([good, h33])), { name: 'ProtocolError', code: 'ERR_BAD_HASH' })
  })

  test('a block request of more than MAX_HASHES_PER_REQUEST hashes is refused', () => {
    const hashes = Array.from({ length: MAX_HASHES_PER_REQUEST + 1 }, () => good)
    assert.throws(() => decodeBlockRequest(encodeBlockRequest(hashes)), { name: 'ProtocolError' })
  })

  test('an entry of more than MAX_CHUNKS_PER_ENTRY chunks is refused (propose and changed alone, a result as broken)', () => {
    const many = ChunkList.of(Array.from({ length: MAX_CHUNKS_PER_ENTRY + 1 }, () => ({ hash: good, size: 1 })))
    const e = fileEntry({ size: many.length, chunks: many })
    const proposed = decodeClientMessage(proposeBytes(e))
    assert.ok(proposed.type === 'invalid-propose' && isProtocolError(proposed.invalid.error, 'ERR_TOO_MANY_CHUNKS'), proposed.type)
    const changed = decodeHubMessage(changedBytes(e))
    assert.ok(changed.type === 'invalid-changed' && isProtocolError(changed.error, 'ERR_TOO_MANY_CHUNKS'), changed.type)
    assert.throws(() => decodeHubMessage(encodeHubMessage({ type: 'result', result: { id: 1, outcome: 'superseded', seq: 3, reason: '', current: e } })), { name: 'ProtocolError', code: 'ERR_TOO_MANY_CHUNKS' })
  })

  test('an entry of exactly MAX_CHUNKS_PER_ENTRY chunks is accepted', () => {
    const most = ChunkList.of(Array.from({ length: MAX_CHUNKS_PER_ENTRY }, () => ({ hash: good, size: 1 })))
    assert.equal(decodeClientMessage(proposeBytes(fileEntry({ size: most.length, chunks: most }))).type, 'propose')
  })

  test('a chunk list that is not a whole number of 36-byte refs is refused', () => {
    for (const extra of [1, 4, 35]) {
      const bytes = cat(entryBytes(fileEntry()), nested(10, new Uint8Array(36 * 2 + extra)))
      const proposed = decodeClientMessage(nested(2, cat(scalar(1, 5n), nested(2, bytes))))
      assert.ok(proposed.type === 'invalid-propose' && isProtocolError(proposed.invalid.error, 'ERR_BAD_ENTRY'), `${extra} bytes over: ${proposed.type}`)
    }
  })
})
