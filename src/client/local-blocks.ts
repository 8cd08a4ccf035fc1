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
import type { FileContent } from '../fs/read-chunks.ts'
import { carriesBlocks, type AttachedBlock } from '../protocol/codec.ts'
import type { Entry } from '../index/entry.ts'
import type { FilesInProgress } from './files-in-progress.ts'

/** A small file's chunks, compressed for the wire, to travel with its proposal. */
export function attachable (entry: Entry, content: FileContent): AttachedBlock[] {
  const { chunks, data } = content
  if (!carriesBlocks(entry) || data == null) return []
  return data.map((d, i) => ({ hash: chunks.hash(i), ...compressBlock(d) }))
}

/** A file being proposed: its chunks as read and hashed, and its stat at that time. */
interface Offer { path: string, stat: LocalStat, content: FileContent, offsets: Float64Array | undefined }

export class LocalBlocks implements BlockSource {
  readonly #root: string
  readonly #index: IndexStore
  /** files being proposed: their chunks are not in the index until the hub accepts them */
  readonly #offers = new Set<Offer>()
  readonly #inProgress: FilesInProgress | undefined

  constructor (root: string, index: IndexStore, inProgress?: FilesInProgress) {
    this.#root = root
    this.#index = index
    this.#inProgress = inProgress
  }

  /** `stat`: the file as it was when `content` was read and hashed */
  offer (path: string, content: FileContent, stat: LocalStat): () => void {
    const offer: Offer = { path, stat, content, offsets: undefined }
    this.#offers.add(offer)
    return () => { this.#offers.delete(offer) }
  }

  async get (hash: Uint8Array): Promise<StoredBlock | null> {
    const places = []
    for (const offer of this.#offers) {
      const { chunks, data } = offer.content
      const i = chunks.indexOf(hash)
      if (i < 0) continue
      if (data != null) return compressBlock(data[i]!)
      offer.offsets ??= chunks.offsets()
      const at = { path: offer.path, offset: offer.offsets[i]!, size: chunks.size(i) }
      const abs = join(this.#root, offer.path)
      if (sameStat(localStatSync(abs), offer.stat)) {
        const bytes = await readChunkAt(abs, at.offset, at.size, null)
        if (bytes != null) return compressBlock(bytes)
      }
      places.push(at)
    }
    places.push(...this.#index.findChunk(hash))
    for (const loc of places) {
      const data = await readChunkAt(join(this.#root, loc.path), loc.offset, loc.size, hash)
      if (data != null) return compressBlock(data)
    }
    const building = await this.#inProgress?.find(hash)
    if (building == null) return null
    const data = building.data ?? await readChunkAt(join(this.#root, building.path), building.offset, building.size, hash)
    // a chain passes a version along: a chunk that came raw goes on raw (zstd's try on every
    // chunk was a tenth of a relaying receiver's CPU in the swarm profile)
    if (data != null) return building.raw ? { data, zstd: false } : compressBlock(data)
    // finished meanwhile: renamed into place and indexed
    for (const loc of this.#index.findChunk(hash)) {
      const again = await readChunkAt(join(this.#root, loc.path), loc.offset, loc.size, hash)
      if (again != null) return compressBlock(again)
    }
    return null
  }
}
