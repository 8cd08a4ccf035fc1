// Chunks for a rebuild: those that came attached to the change (a small file's) first, the
// rest fetched from the hub, all yielded in the order asked and verified.
import { hex } from '../index/entry.ts'
import { ChunkListBuilder, type ChunkList } from '../chunk/chunk-list.ts'
import { openBlock } from '../net/block-codec.ts'
import type { AttachedBlock } from '../protocol/codec.ts'
import type { FetchChunks } from './apply-remote.ts'

export function withAttached (blocks: AttachedBlock[], fetch: FetchChunks): FetchChunks {
  if (blocks.length === 0) return fetch
  const attached = new Map(blocks.map(b => [hex(b.hash), b]))
  return async function * (refs: ChunkList) {
    const rest = new ChunkListBuilder()
    for (const r of refs) if (!attached.has(hex(r.hash))) rest.push(r.hash, r.size)
    const remote = fetch(rest.finish())
    try {
      for (const ref of refs) {
        const b = attached.get(hex(ref.hash))
        if (b != null) {
          yield { ref, data: openBlock(b, ref.hash, ref.size) }
          continue
        }
        const next = await remote.next()
        if (next.done === true) return
        yield next.value
      }
    } finally {
      await remote.return(undefined)
    }
  }
}
