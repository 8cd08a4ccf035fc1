// The swarm's pre-shared key (libp2p pnet): without it no connection completes, hub or client.
import { readFile } from 'node:fs/promises'
import { generateKey } from '@libp2p/pnet'

export class PskError extends Error {
  override name = 'PskError'
  readonly code = 'ERR_PSK'
}

/** The v1 key file format (go-ipfs' swarm.key): a tag line, an encoding line, 64 hex digits. */
const KEY_FILE = /^\/key\/swarm\/psk\/1\.0\.0\/\r?\n\/base16\/\r?\n[0-9a-fA-F]{64}\s*$/
/** Header lines plus 64 hex digits: what generateKey writes. */
const KEY_FILE_BYTES = 95

/** A new key in the file format `--psk` reads. */
export function newPsk (): Uint8Array {
  const out = new Uint8Array(KEY_FILE_BYTES)
  generateKey(out)
  return out
}

/** Reads and checks a key file: pnet's own decoder accepts a malformed file and fails later. */
export async function readPsk (file: string): Promise<Uint8Array> {
  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch (err) {
    throw new PskError(`cannot read pre-shared key ${file}: ${(err as Error).message}`)
  }
  if (!KEY_FILE.test(bytes.toString('latin1'))) {
    throw new PskError(`${file} is not a pre-shared key file (make one with: distsync psk > swarm.key)`)
  }
  return new Uint8Array(bytes)
}
