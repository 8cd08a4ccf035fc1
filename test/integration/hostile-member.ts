// A member turned hostile: a real libp2p node on the real hub's sync protocol, proposing what it
// likes (issue 17). It keeps every change the hub relays to it.
import { multiaddr } from '@multiformats/multiaddr'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { lpStream } from '@libp2p/utils'
import { createNode } from '../../src/net/node.ts'
import { SYNC_PROTOCOL, MAX_SYNC_FRAME } from '../../src/protocol/constants.ts'
import { decodeHubMessage, encodeClientMessage, type AttachedBlock, type Changed, type Result } from '../../src/protocol/codec.ts'
import { sha256 } from '../../src/chunk/hash.ts'
import { ChunkList } from '../../src/chunk/chunk-list.ts'
import type { Entry } from '../../src/index/entry.ts'

export interface HostileMember {
  /** every change the hub relayed to this member */
  relayed: Changed[]
  /** tells the hub every change relayed so far is done (sent after each one unless `holdProgress`) */
  progress: () => Promise<void>
  propose: (entry: Entry, baseSeq: number, blocks?: AttachedBlock[]) => Promise<Result>
  stop: () => Promise<void>
}

export function fileEntry (path: string, data: Uint8Array): { entry: Entry, blocks: AttachedBlock[] } {
  const chunk = sha256(data)
  const entry: Entry = { path, kind: 'file', size: data.byteLength, mtimeNs: BigInt(Date.now()) * 1_000_000n, exec: false, deleted: false, hash: sha256(chunk), chunks: ChunkList.of([{ hash: chunk, size: data.byteLength }]), target: '' }
  return { entry, blocks: [{ hash: chunk, data, zstd: false }] }
}

export function linkEntry (path: string, target: string): Entry {
  return { path, kind: 'symlink', size: 0, mtimeNs: BigInt(Date.now()) * 1_000_000n, exec: false, deleted: false, hash: new Uint8Array(0), chunks: ChunkList.EMPTY, target }
}

export async function hostileMember (hubAddr: string, opts: { holdProgress?: boolean } = {}): Promise<HostileMember> {
  const node = await createNode({ privateKey: await generateKeyPair('Ed25519'), pingIntervalMs: 1000 })
  await node.start()
  const stream = await node.dialProtocol(multiaddr(hubAddr), SYNC_PROTOCOL)
  const lp = lpStream(stream, { maxDataLength: MAX_SYNC_FRAME })
  await lp.write(encodeClientMessage({ type: 'hello', hello: { sinceSeq: 0, folder: 'default' } }))
  const relayed: Changed[] = []
  const waiting = new Map<number, (r: Result) => void>()
  let id = 0
  let bytes = 0
  const progress = async (): Promise<void> => { await lp.write(encodeClientMessage({ type: 'progress', frames: relayed.length, bytes })) }
  void (async () => {
    while (true) {
      const frame = await lp.read()
      const msg = decodeHubMessage(frame)
      if (msg.type === 'changed') {
        relayed.push(msg.changed)
        bytes += frame.byteLength
        if (opts.holdProgress !== true) await progress()
      }
      if (msg.type === 'result') waiting.get(msg.result.id)?.(msg.result)
    }
  })().catch(() => {})
  return {
    relayed,
    progress,
    propose: async (entry, baseSeq, blocks = []) => {
      const my = ++id
      const result = new Promise<Result>(resolve => waiting.set(my, resolve))
      await lp.write(encodeClientMessage({ type: 'propose', propose: { id: my, entry, baseSeq, blocks } }))
      return await result
    },
    stop: async () => { await node.stop() }
  }
}
