import { createHash } from 'node:crypto'

export function sha256 (data: Uint8Array): Uint8Array {
  return createHash('sha256').update(data).digest()
}

/**
 * A file's hash: SHA-256 over its chunks' hashes in order. Chunking is deterministic, so equal
 * content gives an equal hash; and every chunk is verified as it is read or received, so hashing
 * the content a second time as a whole (a full pass over a large file on both ends) proves nothing more.
 */
export function fileHash (chunkHashes: Iterable<Uint8Array>): Uint8Array {
  const h = createHash('sha256')
  for (const c of chunkHashes) h.update(c)
  return h.digest()
}
