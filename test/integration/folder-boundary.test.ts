// Issue 17, items 1 and 2: a member that proposes a symlink and then paths "inside" it cannot
// make another client read, upload, move or delete anything through that link. Since issue 16 the
// hub refuses any path below a link or file it holds (reconcile/tree-shape.ts): the paths never
// reach a client; the client's own boundary (fs/folder-boundary.ts) is the second line.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, rm, writeFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { tombstone } from '../../src/index/entry.ts'
import { cluster, tempDir, tree, waitFor, sleep } from './harness.ts'
import { fileEntry, hostileMember, linkEntry } from './hostile-member.ts'

test('a link to .distsync does not make a client upload its identity key', async () => {
  const c = await cluster(1)
  const evil = await hostileMember(c.hub.addr)
  try {
    const link = await evil.propose(linkEntry('x', '.distsync'), 0)
    assert.equal(link.outcome, 'accepted')
    await waitFor('the link at the victim', async () => (await tree(c.dirs[0]!)).get('x') === 'link -> .distsync')
    const bait = fileEntry('x/identity.key', new TextEncoder().encode('not the key'))
    assert.equal((await evil.propose(bait.entry, 0, bait.blocks)).outcome, 'rejected')
    const up = fileEntry('x/up/identity.key', new TextEncoder().encode('not the key either'))
    assert.equal((await evil.propose(up.entry, 0, up.blocks)).outcome, 'rejected')
    const marker = fileEntry('marker.txt', new TextEncoder().encode('done'))
    await evil.propose(marker.entry, 0, marker.blocks)
    await waitFor('the marker at the victim', async () => (await tree(c.dirs[0]!)).has('marker.txt'), 30000)
    await sleep(2000)
    const leaked = evil.relayed.filter(ch => ch.entry.path.startsWith('x/'))
    assert.deepEqual(leaked.map(ch => ch.entry.path), [], 'the victim proposed nothing read through the link')
    assert.ok(!/"path":"x\/[^"]*","seq":\d+,"msg":"proposal accepted"/.test(c.clients[0]!.stderr()))
  } finally {
    await evil.stop()
    await c.close()
  }
})

test('a link to an outside directory does not make a client move an outside file to its trash', async () => {
  const outside = await tempDir('outside')
  const secret = new TextEncoder().encode('the outside file')
  await writeFile(join(outside, 'victim.txt'), secret)
  const c = await cluster(1)
  const evil = await hostileMember(c.hub.addr)
  try {
    assert.equal((await evil.propose(linkEntry('y', outside), 0)).outcome, 'accepted')
    await waitFor('the link at the victim', async () => (await tree(c.dirs[0]!)).get('y') === `link -> ${outside}`)
    // an entry with the outside file's exact bytes: a client looking through the link finds it "in sync"
    const same = fileEntry('y/victim.txt', secret)
    assert.equal((await evil.propose(same.entry, 0, same.blocks)).outcome, 'rejected')
    await sleep(1500)
    await evil.propose(tombstone('y/victim.txt', 'file', BigInt(Date.now()) * 1_000_000n), 0)
    const marker = fileEntry('marker.txt', new TextEncoder().encode('done'))
    await evil.propose(marker.entry, 0, marker.blocks)
    await waitFor('the marker at the victim', async () => (await tree(c.dirs[0]!)).has('marker.txt'), 30000)
    await sleep(2000)
    assert.deepEqual(await readFile(join(outside, 'victim.txt')), Buffer.from(secret), 'the outside file is where it was')
    assert.deepEqual(await readdir(outside), ['victim.txt'])
  } finally {
    await evil.stop()
    await c.close()
    await rm(outside, { recursive: true, force: true })
  }
})
