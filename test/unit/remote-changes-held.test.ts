// A remote change that meets a local change gone again (issue 16.1, "a kind change that meets a
// deletion held back"): B made d a file while A had removed d, and A re-made d as its index
// knows it. Whether A's look at its own side came before or after the mkdir, B's file is applied,
// and without waiting for a backoff timer. (The race below made that 16.1 test time out under
// load: the change was left as done, never applied.)
import { test, mock } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, rmSync, rmdirSync } from 'node:fs'
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

type ProposeLocal = (root: string, path: string) => Promise<'waiting' | 'deferred' | undefined>

/** A folder whose index holds d as a directory (seq 1), d removed here, and RemoteChanges over it. */
async function setup (proposeLocal: ProposeLocal): Promise<{ root: string, index: IndexStore, queue: PathQueue, remote: RemoteChanges, close: () => Promise<void> }> {
  const base = mkdtempSync(join(tmpdir(), 'distsync-held-'))
  const root = join(base, 'folder')
  mkdirSync(join(root, 'd'), { recursive: true })
  mkdirSync(join(root, TEMP_DIR), { recursive: true })
  const index = new IndexStore(join(base, 'index.db'))
  index.put({ entry: dirEntry, seq: 1, stat: null })
  rmdirSync(join(root, 'd'))
  const node = await createNode({ privateKey: await generateKeyPair('Ed25519'), pingIntervalMs: 10_000 })
  const ac = new AbortController()
  const self = node.peerId.toString()
  const peers = new PeerExchange({ node, self, hubPeer: self, allowed: new Set(), direct: false, hubConnection: () => undefined })
  const queue = new PathQueue(4, (path, err) => { assert.fail(`${path}: ${String(err)}`) })
  const remote = new RemoteChanges({
    root, index, peers, queue, signal: ac.signal,
    channel: () => undefined,
    generation: () => 1,
    proposeLocal: async path => await proposeLocal(root, path)
  })
  const close = async (): Promise<void> => {
    ac.abort()
    await node.stop()
    index.close()
    rmSync(base, { recursive: true, force: true })
  }
  return { root, index, queue, remote, close }
}

/** B's "d is now a file" (seq 2) comes; resolves once it was tried the first time. */
async function bMadeDAFile (remote: RemoteChanges): Promise<void> {
  const tried = Promise.withResolvers<void>()
  remote.opening(1).handlers.changed({ seq: 2, entry: fileEntry, origin: 'other', blocks: [], holders: { peers: [], held: true } }, tried.resolve)
  await tried.promise
}

test('the user re-made the path before the look at its side: the change is decided again and applied', async () => {
  const looks: string[] = []
  // the user's mkdir lands between the decision and the look: LocalChanges finds the path as the
  // index knows it and proposes nothing
  const { root, index, remote, close } = await setup(async (root, path) => {
    looks.push(path)
    await mkdir(join(root, path))
    return undefined
  })
  try {
    await bMadeDAFile(remote)
    assert.deepEqual(looks, ['d'], 'the user\'s side was looked at once')
    assert.equal((await lstat(join(root, 'd'))).isFile(), true, 'the hub\'s file is in place')
    assert.equal(index.get('d')?.seq, 2)
  } finally {
    await close()
  }
})

test('the user re-made the path while the change was held back: the change is tried at once', async () => {
  const looks: string[] = []
  // A's deletion of d is held back (DELETE_SETTLE_MS): the change waits
  const { root, index, queue, remote, close } = await setup(async (_root, path) => {
    looks.push(path)
    return 'deferred'
  })
  // the backoff timers never fire: only the local change can bring the retry
  mock.timers.enable({ apis: ['setTimeout'] })
  try {
    await bMadeDAFile(remote)
    assert.equal(existsSync(join(root, 'd')), false, 'held back: nothing applied yet')
    await mkdir(join(root, 'd'))
    remote.localChanged('d')
    // work on one path runs in order: this runs after the retry it woke
    await new Promise<void>(resolve => { queue.push('d', async () => { resolve() }) })
    assert.deepEqual(looks, ['d'])
    assert.equal((await lstat(join(root, 'd'))).isFile(), true, 'the hub\'s file is in place')
    assert.equal(index.get('d')?.seq, 2)
  } finally {
    mock.timers.reset()
    await close()
  }
})
