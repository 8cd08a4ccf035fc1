// Issue 17 case 8: a proposal whose size or seq is past 2^53 is refused alone, by its id, and
// the session goes on. Past 2^56 the generated decoder fails the whole message; between 2^53 and
// 2^56 it decodes to an unsafe number. Both are hand-built here, field by field.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writer } from 'protons-runtime'
import { decodeClientMessage } from '../../src/protocol/codec.ts'
import { sha256 } from '../../src/chunk/hash.ts'

function proposal (id: number, size: bigint, baseSeq: bigint): Uint8Array {
  const chunk = sha256(Uint8Array.of(1))
  const chunks = new Uint8Array(36)
  chunks.set(chunk)
  new DataView(chunks.buffer).setUint32(32, 1, true)
  const entry = writer()
  entry.uint32(10).string('big.bin')
  entry.uint32(24).uint64(size)
  entry.uint32(58).bytes(sha256(chunk))
  entry.uint32(82).bytes(chunks)
  const propose = writer()
  propose.uint32(8).uint32(id)
  propose.uint32(18).bytes(entry.finish())
  propose.uint32(24).uint64(baseSeq)
  return writer().uint32(18).bytes(propose.finish()).finish()
}

const cases: Array<[string, bigint, bigint]> = [
  ['a size of 2^53', 2n ** 53n, 0n],
  ['a size of 2^60', 2n ** 60n, 0n],
  ['a size of 2^64 - 1', 2n ** 64n - 1n, 0n],
  ['a base seq of 2^53', 1n, 2n ** 53n],
  ['a base seq of 2^63', 1n, 2n ** 63n]
]

for (const [what, size, baseSeq] of cases) {
  test(`${what}: an invalid proposal carrying its id, not a failed message`, () => {
    const got = decodeClientMessage(proposal(77, size, baseSeq))
    assert.equal(got.type, 'invalid-propose')
    assert.ok(got.type === 'invalid-propose')
    assert.equal(got.invalid.id, 77)
    assert.ok(got.invalid.error.message.length > 0)
  })
}

test('a message that is not even a proposal still fails as a whole', () => {
  assert.throws(() => decodeClientMessage(Uint8Array.of(0x0a, 0x05, 0x08)), { name: 'ProtocolError', code: 'ERR_MALFORMED' })
})
