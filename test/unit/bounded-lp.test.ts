// Issue 17 case 3: a length prefix whose bytes all carry the continuation bit. lpStream kept
// reading it (and holding every byte) for as long as the peer sent; ours fails at its 4th byte.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { streamPair } from '@libp2p/utils'
import { Uint8ArrayList } from 'uint8arraylist'
import { boundedLengthDecoder, boundedLpStream, varintLength } from '../../src/net/bounded-lp.ts'
import { MAX_BLOCK_FRAME, MAX_SYNC_FRAME } from '../../src/protocol/constants.ts'

test('the prefix bound is the varint of the largest frame: 4 bytes for a sync frame, 3 for a block', () => {
  assert.equal(varintLength(MAX_SYNC_FRAME), 4)
  assert.equal(varintLength(MAX_BLOCK_FRAME), 3)
  assert.equal(varintLength(127), 1)
  assert.equal(varintLength(128), 2)
})

test('the decoder reads what fits and refuses a longer prefix at once', () => {
  const decode = boundedLengthDecoder(3)
  assert.equal(decode(new Uint8ArrayList(Uint8Array.of(0x05))), 5)
  assert.equal(decode(new Uint8ArrayList(Uint8Array.of(0x80, 0x01))), 128)
  assert.equal(decode(new Uint8ArrayList(Uint8Array.of(0xff, 0xff, 0x7f))), 2 ** 21 - 1)
  assert.throws(() => decode(new Uint8ArrayList(Uint8Array.of(0xff, 0xff))), RangeError, 'incomplete: lpStream asks for another byte')
  assert.throws(() => decode(new Uint8ArrayList(Uint8Array.of(0xff, 0xff, 0xff))), { name: 'LengthPrefixError' })
})

test('an endless prefix fails the read after a few bytes; frames before it arrive', async () => {
  const [outbound, inbound] = await streamPair()
  const lp = boundedLpStream(inbound, { maxDataLength: MAX_SYNC_FRAME, maxBufferSize: 1024 * 1024 })
  outbound.send(Uint8Array.of(3, 1, 2, 3))
  outbound.send(new Uint8Array(64 * 1024).fill(0xff))
  assert.deepEqual((await lp.read()).subarray(), Uint8Array.of(1, 2, 3))
  await assert.rejects(lp.read(), { name: 'LengthPrefixError' })
})
