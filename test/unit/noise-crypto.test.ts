// Our Noise cipher must be noise's own, byte for byte: a peer running plain
// @chainsafe/libp2p-noise decrypts what we send and we decrypt what it sends.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { defaultCrypto } from '@chainsafe/libp2p-noise/crypto'
import { Uint8ArrayList } from 'uint8arraylist'
import { noiseCrypto } from '../../src/net/noise-crypto.ts'
import type { ICryptoInterface } from '@chainsafe/libp2p-noise'

/** noise types its lists with its own (older) uint8arraylist; at run time they are one kind */
type NoiseInput = Parameters<ICryptoInterface['chaCha20Poly1305Encrypt']>[0]
const asNoise = (x: Uint8Array | Uint8ArrayList): NoiseInput => x as unknown as NoiseInput

const flat = (b: Uint8Array | { subarray: () => Uint8Array }): Buffer => Buffer.from(b.subarray())

/** A plaintext as noise hands it over: one array, or a list of pieces (yamux header + data). */
const plaintexts = fc.tuple(fc.uint8Array({ minLength: 0, maxLength: 70_000, size: 'max' }), fc.nat(), fc.boolean())
  .map(([bytes, cut, asList]) => {
    if (!asList) return { bytes, input: bytes as Uint8Array | Uint8ArrayList }
    const at = bytes.length === 0 ? 0 : cut % bytes.length
    return { bytes, input: new Uint8ArrayList(bytes.subarray(0, at), bytes.subarray(at)) }
  })

const keys = fc.uint8Array({ minLength: 32, maxLength: 32 })
const nonces = fc.uint8Array({ minLength: 12, maxLength: 12 })

describe('noiseCrypto', () => {
  test('what it seals, plain noise opens, and the bytes are the same', () => {
    fc.assert(fc.property(plaintexts, keys, nonces, ({ bytes, input }, k, nonce) => {
      const ad = new Uint8Array(0)
      const ours = flat(noiseCrypto.chaCha20Poly1305Encrypt(asNoise(input), nonce, ad, k))
      const theirs = flat(defaultCrypto.chaCha20Poly1305Encrypt(bytes, nonce, ad, k))
      assert.deepEqual(ours, theirs)
      assert.deepEqual(flat(defaultCrypto.chaCha20Poly1305Decrypt(ours, nonce, ad, k)), Buffer.from(bytes))
    }), { numRuns: 200 })
  })

  test('what plain noise seals, it opens', () => {
    fc.assert(fc.property(plaintexts, keys, nonces, ({ bytes }, k, nonce) => {
      const ad = new Uint8Array(0)
      const sealed = flat(defaultCrypto.chaCha20Poly1305Encrypt(bytes, nonce, ad, k))
      const cut = sealed.length >> 1
      for (const input of [sealed, new Uint8ArrayList(sealed.subarray(0, cut), sealed.subarray(cut))]) {
        assert.deepEqual(flat(noiseCrypto.chaCha20Poly1305Decrypt(asNoise(input), nonce, ad, k)), Buffer.from(bytes))
      }
    }), { numRuns: 200 })
  })

  test('one key array reused for many frames, beside another key: each frame opens with its own key only', () => {
    const k1 = randomBytes(32)
    const k2 = randomBytes(32)
    const ad = new Uint8Array(0)
    for (let i = 0; i < 20; i++) {
      const nonce = Buffer.alloc(12)
      nonce.writeUInt32LE(i, 4)
      const data = randomBytes(2000 + i)
      const k = i % 2 === 0 ? k1 : k2
      const sealed = flat(noiseCrypto.chaCha20Poly1305Encrypt(data, nonce, ad, k))
      assert.deepEqual(flat(noiseCrypto.chaCha20Poly1305Decrypt(sealed, nonce, ad, k)), data)
      assert.throws(() => noiseCrypto.chaCha20Poly1305Decrypt(sealed, nonce, ad, k === k1 ? k2 : k1))
    }
  })

  test('a frame altered anywhere, tag included, is refused', () => {
    const k = randomBytes(32)
    const nonce = randomBytes(12)
    const ad = new Uint8Array(0)
    const sealed = flat(noiseCrypto.chaCha20Poly1305Encrypt(randomBytes(5000), nonce, ad, k))
    for (const at of [0, 2500, sealed.length - 17, sealed.length - 1]) {
      const bad = Buffer.from(sealed)
      bad[at]! ^= 1
      assert.throws(() => noiseCrypto.chaCha20Poly1305Decrypt(bad, nonce, ad, k), `byte ${at} altered`)
    }
  })
})
