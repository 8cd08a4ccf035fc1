// Noise's own crypto with two costs taken out of every large frame. Its node:crypto path turns
// the raw 32-byte key into a key object on every frame (~13 µs, a fifth of a 64 KiB frame's
// ChaCha20-Poly1305; the hub spent more CPU there than in the cipher itself) and copies each
// ciphertext once more to append the tag. The key object is built once per session key here,
// and the tag travels as a second buffer. Small frames keep noise's WASM path, faster below
// 1200 bytes. Same algorithm, same bytes on the wire.
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto'
import { defaultCrypto } from '@chainsafe/libp2p-noise/crypto'
import { Uint8ArrayList } from 'uint8arraylist'
import type { ICryptoInterface } from '@chainsafe/libp2p-noise'

const ALGORITHM = 'chacha20-poly1305'
const TAG = 16
/** noise's own threshold between its WASM and node:crypto paths */
const NATIVE_FROM = 1200

/** A CipherState passes the same key array for every frame of a session. */
const keyObjects = new WeakMap<Uint8Array, KeyObject>()

function keyObject (k: Uint8Array): KeyObject {
  let key = keyObjects.get(k)
  if (key == null) keyObjects.set(k, key = createSecretKey(k))
  return key
}

type Encrypt = ICryptoInterface['chaCha20Poly1305Encrypt']
type Decrypt = ICryptoInterface['chaCha20Poly1305Decrypt']
/** noise bundles an older uint8arraylist; both versions recognise each other's lists (one
 * Symbol.for tag), only their types differ */
type NoiseList = ReturnType<Encrypt>

const encrypt: Encrypt = (plaintext, nonce, ad, k) => {
  if (plaintext.byteLength < NATIVE_FROM) return defaultCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k)
  const cipher = createCipheriv(ALGORITHM, keyObject(k), nonce, { authTagLength: TAG })
  cipher.setAAD(ad, { plaintextLength: plaintext.byteLength })
  const out = new Uint8ArrayList()
  for (const buf of plaintext instanceof Uint8Array ? [plaintext] : plaintext) out.append(cipher.update(buf))
  const final = cipher.final()
  if (final.byteLength > 0) out.append(final)
  out.append(cipher.getAuthTag())
  return out as unknown as NoiseList
}

const decrypt: Decrypt = (ciphertext, nonce, ad, k, dst) => {
  if (ciphertext.byteLength < NATIVE_FROM) return defaultCrypto.chaCha20Poly1305Decrypt(ciphertext, nonce, ad, k, dst)
  const body = ciphertext.byteLength - TAG
  const decipher = createDecipheriv(ALGORITHM, keyObject(k), nonce, { authTagLength: TAG })
  decipher.setAAD(ad, { plaintextLength: body })
  decipher.setAuthTag(ciphertext.subarray(body))
  const parts: Uint8Array[] = []
  for (const buf of ciphertext instanceof Uint8Array ? [ciphertext.subarray(0, body)] : ciphertext.sublist(0, body)) parts.push(decipher.update(buf))
  const final = decipher.final()
  if (final.byteLength > 0) parts.push(final)
  return parts.length === 1 ? parts[0]! : new Uint8ArrayList(...parts) as unknown as NoiseList
}

export const noiseCrypto: ICryptoInterface = {
  ...defaultCrypto,
  chaCha20Poly1305Encrypt: encrypt,
  chaCha20Poly1305Decrypt: decrypt
}
