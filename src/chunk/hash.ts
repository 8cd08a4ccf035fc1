import { createHash } from 'node:crypto'
import type { ChunkList } from './chunk-list.ts'

export function sha256 (data: Uint8Array): Uint8Array {
  return createHash('sha256').update(data).digest()
}

/**
 * A file's hash: SHA-256 over its chunks' hashes in order. Chunking is deterministic, so equal
 * content gives an equal hash; and every chunk is verified as it is read or received, so hashing
 * the content a second time as a whole (a full pass over a large file on both ends) proves nothing more.
 */
export function fileHash (chunks: ChunkList): Uint8Array {
  const h = createHash('sha256')
  for (let i = 0; i < chunks.length; i++) h.update(chunks.hash(i))
  return h.digest()
}
