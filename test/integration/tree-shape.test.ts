// Issue 16.2's last part: the hub's journal never holds a live entry below a file or link
// (reconcile/tree-shape.ts), and a client proposes a kind change in the order that keeps it so.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ChunkList } from '../../src/chunk/chunk-list.ts'
import type { Entry } from '../../src/index/entry.ts'
import { LIVE_BELOW } from '../../src/reconcile/tree-shape.ts'
import { cluster, converged, tree, waitFor } from './harness.ts'
import { fileEntry, hostileMember } from './hostile-member.ts'

const dirEntry = (path: string): Entry => ({ path, kind: 'dir', size: 0, mtimeNs: BigInt(Date.now()) * 1_000_000n, exec: false, deleted: false, hash: new Uint8Array(0), chunks: ChunkList.EMPTY, target: '' })

/** The hub's commits, in order, from its log. */
function accepted (hubLog: string): Array<{ path: string, deleted: boolean }> {
  return hubLog.split('\n').filter(l => l.includes('"msg":"accepted"')).map(l => JSON.parse(l) as { path: string, deleted: boolean })
}

test('the hub refuses a path below a file, and keeps a directory that holds entries', async () => {
  const c = await cluster(1)
  const m = await hostileMember(c.hub.addr)
  try {
    const x = fileEntry('x', new TextEncoder().encode('a file'))
    assert.equal((await m.propose(x.entry, 0, x.blocks)).outcome, 'accepted')
    const below = fileEntry('x/a', new TextEncoder().encode('below a file'))
    assert.equal((await m.propose(below.entry, 0, below.blocks)).outcome, 'rejected')
    assert.equal((await m.propose(dirEntry('x/d'), 0)).outcome, 'rejected')
    // a file over a directory that still holds an entry: the directory stays, the file is a conflict copy
    const d = await m.propose(dirEntry('d'), 0)
    assert.equal(d.outcome, 'accepted')
    const inD = fileEntry('d/a', new TextEncoder().encode('in d'))
    assert.equal((await m.propose(inD.entry, 0, inD.blocks)).outcome, 'accepted')
    const over = fileEntry('d', new TextEncoder().encode('a file over d'))
    const res = await m.propose(over.entry, d.seq, over.blocks)
    assert.equal(res.outcome, 'superseded')
    assert.equal(res.current?.kind, 'dir')
    await waitFor('the client to hold d/a and the copy', async () => {
      const t = await tree(c.dirs[0]!)
      return t.get('d') === 'dir' && t.has('d/a') && [...t.keys()].some(p => p.startsWith('d.sync-conflict-'))
    }, 30000)
    assert.equal((await tree(c.dirs[0]!)).get('x') !== 'dir', true)
    assert.equal((await tree(c.dirs[0]!)).has('x/a'), false)
  } finally {
    await m.stop()
    await c.close()
  }
})

test('a directory\'s deletion is refused while the hub holds entries below it: a file added meanwhile is not lost', async () => {
  const c = await cluster(1)
  const m = await hostileMember(c.hub.addr)
  try {
    const d = await m.propose(dirEntry('d'), 0)
    assert.equal(d.outcome, 'accepted')
    const added = fileEntry('d/added-meanwhile', new TextEncoder().encode('not lost'))
    assert.equal((await m.propose(added.entry, 0, added.blocks)).outcome, 'accepted')
    await waitFor('the client to hold d/added-meanwhile', async () => (await tree(c.dirs[0]!)).has('d/added-meanwhile'), 30000)
    // a member that deleted d without having heard of what is in it
    const res = await m.propose({ ...dirEntry('d'), deleted: true }, d.seq)
    assert.equal(res.outcome, 'rejected')
    assert.equal(res.reason, LIVE_BELOW)
    // a marker relayed after the refusal: had the deletion been committed, the client had it first
    const marker = fileEntry('marker', new TextEncoder().encode('after'))
    assert.equal((await m.propose(marker.entry, 0, marker.blocks)).outcome, 'accepted')
    await waitFor('the marker', async () => (await tree(c.dirs[0]!)).has('marker'), 30000)
    const t = await tree(c.dirs[0]!)
    assert.equal(t.get('d'), 'dir')
    assert.equal(t.has('d/added-meanwhile'), true)
  } finally {
    await m.stop()
    await c.close()
  }
})

test('a client proposes a kind change so that the journal never holds a path below a file', async () => {
  const c = await cluster(2)
  const [a, b] = c.dirs as [string, string]
  try {
    await mkdir(join(a, 'x'))
    await writeFile(join(a, 'x/a'), 'a')
    await mkdir(join(a, 'x/sub'))
    await writeFile(join(a, 'x/sub/b'), 'b')
    await writeFile(join(a, 'y'), 'a file')
    await converged([a, b])
    // directory -> file: what was below is deleted on the hub before the file arrives there
    await rm(join(a, 'x'), { recursive: true })
    await writeFile(join(a, 'x'), 'now a file')
    // file -> directory, in quick succession: the directory before what is in it
    await rm(join(a, 'y'))
    await mkdir(join(a, 'y'))
    await writeFile(join(a, 'y/c'), 'c')
    await converged([a, b], 30000)
    assert.equal((await tree(b)).get('y'), 'dir')
    const log = accepted(c.hub.stderr())
    const at = (path: string, deleted: boolean): number => log.findLastIndex(r => r.path === path && r.deleted === deleted)
    const xFile = at('x', false)
    for (const p of ['x/a', 'x/sub', 'x/sub/b']) assert.ok(at(p, true) !== -1 && at(p, true) < xFile, `${p} deleted before x became a file: ${JSON.stringify(log)}`)
    assert.ok(at('y', false) < at('y/c', false), `y a directory before y/c: ${JSON.stringify(log)}`)
    assert.doesNotMatch(c.hub.stderr(), /refused/)
  } finally {
    await c.close()
  }
})
