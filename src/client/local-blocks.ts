// What a client serves on /distsync/blocks/1.0.0: chunks of its own files, read where the index
// (or a proposal in flight) says they are, verified, compressed for the wire. A chunk of a file
// being proposed is not hashed again while the file is as it was when it was hashed (the hub
// verifies every chunk; one that changed anyway refuses just that proposal): that second SHA-256
// pass was a tenth of a large upload's CPU on the sending side.
import { join } from 'node:path'
import { readChunkAt } from '../fs/read-chunks.ts'
import { localStatSync, sameStat } from '../fs/local-stat.ts'
import type { LocalStat } from '../reconcile/client-decide.ts'
import { compressBlock, type StoredBlock } from '../net/block-codec.ts'
import type { BlockSource } from '../net/block-transfer.ts'
import type { IndexStore } from '../index/index-store.ts'
import type { LocatedChunk } from '../fs/read-chunks.ts'
import { carriesBlocks, type AttachedBlock } from '../protocol/codec.ts'
import type { Entry } from '../index/entry.ts'

/** A small file's chunks, compressed for the wire, to travel with its proposal. */
export function attachable (entry: Entry, located: LocatedChunk[]): AttachedBlock[] {
  if (!carriesBlocks(entry) || located.some(c => c.data == null)) return []
  return located.map(c => ({ hash: c.hash, ...compressBlock(c.data!) }))
}

/** One chunk of a proposal in flight; `offer` is shared by all chunks of that file. */
interface Pending { chunk: LocatedChunk, offer: { path: string, stat: LocalStat }, refs: number }

/** A hash as a map key: 32 one-byte characters (hex made 64, for each of a big file's chunks). */
function keyOf (hash: Uint8Array): string {
  return Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('latin1')
}

export class LocalBlocks implements BlockSource {
  readonly #root: string
  readonly #index: IndexStore
  /** chunks of files being proposed: not in the index until the hub accepts them */
  readonly #pending = new Map<string, Pending>()

  constructor (root: string, index: IndexStore) {
    this.#root = root
    this.#index = index
  }

  /** `stat`: the file as it was when these chunks were read and hashed */
  offer (path: string, chunks: LocatedChunk[], stat: LocalStat): () => void {
    const offer = { path, stat }
    for (const chunk of chunks) {
      const k = keyOf(chunk.hash)
      const p = this.#pending.get(k)
      if (p != null) p.refs++
      else this.#pending.set(k, { chunk, offer, refs: 1 })
    }
    return () => {
      for (const chunk of chunks) {
        const k = keyOf(chunk.hash)
        const p = this.#pending.get(k)
        if (p != null && --p.refs === 0) this.#pending.delete(k)
      }
    }
  }

  async get (hash: Uint8Array): Promise<StoredBlock | null> {
    const p = this.#pending.get(keyOf(hash))
    if (p?.chunk.data != null) return compressBlock(p.chunk.data)
    if (p != null) {
      const abs = join(this.#root, p.offer.path)
      if (sameStat(localStatSync(abs), p.offer.stat)) {
        const data = await readChunkAt(abs, p.chunk.offset, p.chunk.size, null)
        if (data != null) return compressBlock(data)
      }
    }
    const here = p != null ? [{ path: p.offer.path, offset: p.chunk.offset, size: p.chunk.size }] : []
    const places = [...here, ...this.#index.findChunk(hash)]
    for (const loc of places) {
      const data = await readChunkAt(join(this.#root, loc.path), loc.offset, loc.size, hash)
      if (data != null) return compressBlock(data)
    }
    return null
  }
}
