// A node's persistent Ed25519 identity, in a key file only its owner can read.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'

export class IdentityError extends Error {
  override name = 'IdentityError'
  readonly code = 'ERR_IDENTITY'
}

export async function loadOrCreateIdentity (file: string): Promise<PrivateKey> {
  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new IdentityError(`cannot read identity ${file}: ${(err as Error).message}`)
    const key = await generateKeyPair('Ed25519')
    await mkdir(dirname(file), { recursive: true, mode: 0o700 })
    // 'wx': never overwrite a key another process wrote meanwhile
    await writeFile(file, privateKeyToProtobuf(key), { mode: 0o600, flag: 'wx' }).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e
    })
    await chmod(file, 0o600)
    return await loadOrCreateIdentity(file)
  }
  try {
    return privateKeyFromProtobuf(bytes)
  } catch (err) {
    throw new IdentityError(`identity file ${file} is not a libp2p private key: ${(err as Error).message}`)
  }
}

export function peerIdOf (key: PrivateKey): string {
  return peerIdFromPrivateKey(key).toString()
}
