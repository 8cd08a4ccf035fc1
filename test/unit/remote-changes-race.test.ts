// A remote change decided against a local change that is gone again by the time the user's side
// is looked at (rmdir d, the hub's "d is now a file" decided, mkdir d): the look proposes nothing,
// the path is as the index knows it, and the hub's change must still be applied (issue 16.1; the
// 16.1 "deletion held back" test timed out under load this way, the change dropped for good).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, rmdirSync } from 'node:fs'
import { lstat, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { RemoteChanges } from '../../src/client/remote-changes.ts'
import { TEMP_DIR } from '../../src/client/apply-remote.ts'
import { PeerExchange } from '../../src/client/peer-exchange.ts'
import { PathQueue } from '../../src/client/path-queue.ts'
import { IndexStore } from '../../src/index/index-store.ts'
import { ChunkList } from '../../src/chunk/chunk-list.ts'
import { fileHash } from '../../src/chunk/hash.ts'
import { createNode } from '../../src/net/node.ts'
import type { Entry } from '../../src/index/entry.ts'

const dirEntry: Entry = { path: 'd', kind: 'dir', size: 0, mtimeNs: 1n, exec: false, deleted: false, hash: new Uint8Array(0), chunks: ChunkList.EMPTY, target: '' }
const fileEntry: Entry = { ...dirEntry, kind: 'file', mtimeNs: 2n, hash: fileHash(ChunkList.EMPTY) }

test('a remote change whose local rival went before it was proposed is applied', async () => {
  const base = mkdtempSync(join(tmpdir(), 'distsync-race-'))
  const root = join(base, 'folder')
  mkdirSync(join(root, 'd'), { recursive: true })
  mkdirSync(join(root, TEMP_DIR), { recursive: true })
  const index = new IndexStore(join(base, 'index.db'))
  index.put({ entry: dirEntry, seq: 1, stat: null })
  const node = await createNode({ privateKey: await generateKeyPair('Ed25519'), pingIntervalMs: 10_000 })
  const ac = new AbortController()
  const looks: string[] = []
  try {
    const self = node.peerId.toString()
    const peers = new PeerExchange({ node, self, hubPeer: self, allowed: new Set(), direct: false, hubConnection: () => undefined })
    const remote = new RemoteChanges({
      root, index, peers, signal: ac.signal,
      queue: new PathQueue(4, (path, err) => { assert.fail(`${path}: ${String(err)}`) }),
      channel: () => undefined,
      generation: () => 1,
      // the user's mkdir lands between the decision and the look: LocalChanges finds the path as
      // the index knows it and proposes nothing
      proposeLocal: async path => {
        looks.push(path)
        await mkdir(join(root, path))
        return undefined
      }
    })
    rmdirSync(join(root, 'd'))
    const tried = Promise.withResolvers<void>()
    remote.opening(1).handlers.changed({ seq: 2, entry: fileEntry, origin: 'other', blocks: [], holders: { peers: [], held: true } }, tried.resolve)
    await tried.promise
    assert.deepEqual(looks, ['d'], 'the user\'s side was looked at once')
    assert.equal((await lstat(join(root, 'd'))).isFile(), true, 'the hub\'s file is in place')
    assert.equal(index.get('d')?.seq, 2)
  } finally {
    ac.abort()
    await node.stop()
    index.close()
    rmSync(base, { recursive: true, force: true })
  }
})
