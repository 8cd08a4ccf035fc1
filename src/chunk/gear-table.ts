// FastCDC's gear table: 256 pseudo-random 32-bit values. Derived from SHA-256 of a fixed label,
// so every build and every peer cuts the same boundaries; changing it changes every chunk hash.
import { createHash } from 'node:crypto'

function makeTable (): Uint32Array {
  const table = new Uint32Array(256)
  for (let i = 0; i < 256; i += 8) {
    const digest = createHash('sha256').update(`distsync-gear-v1-${i}`).digest()
    for (let j = 0; j < 8; j++) table[i + j] = digest.readUInt32LE(j * 4)
  }
  return table
}

export const GEAR = makeTable()
