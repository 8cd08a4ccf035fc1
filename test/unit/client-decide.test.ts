// The client's decisions: did the user change a path (localState), and what to do with a change
// from the hub (decideRemote). Never a silent overwrite of a local change.
import { test, describe } from 'node:test'
import { ChunkList } from '../../src/chunk/chunk-list.ts'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { decideRemote, localState, stillBeingWritten, SETTLE_CHECK_BYTES, type IndexRecord, type LocalStat, type LocalState, type RemoteAction } from '../../src/reconcile/client-decide.ts'
import { tombstone, type Entry } from '../../src/index/entry.ts'

const PATH = 'notes/todo.md'
const hashOf = (byte: number): Uint8Array => new Uint8Array(32).fill(byte)

function fileEntry (content: number, size: number, more: Partial<Entry> = {}): Entry {
  return { path: PATH, kind: 'file', size, mtimeNs: 1000n, exec: false, deleted: false, hash: hashOf(content), chunks: ChunkList.of([{ hash: hashOf(content), size }]), target: '', ...more }
}
const dirEntry: Entry = { path: PATH, kind: 'dir', size: 0, mtimeNs: 1000n, exec: false, deleted: false, hash: new Uint8Array(0), chunks: ChunkList.EMPTY, target: '' }
const linkEntry = (target: string): Entry => ({ ...dirEntry, kind: 'symlink', target })
const gone: Entry = tombstone(PATH, 'file', 2000n)

/** The stat a file had when the index last saw it. */
const STAT = { size: 10, mtimeNs: 5_000_000_000n, ino: 42n }
const onDisk = (more: Partial<LocalStat> = {}): LocalStat => ({ kind: 'file', ...STAT, exec: false, target: '', ...more })
const dirOnDisk: LocalStat = { kind: 'dir', size: 4096, mtimeNs: 9n, exec: true, ino: 7n, target: '' }
const linkOnDisk = (target: string): LocalStat => ({ kind: 'symlink', size: target.length, mtimeNs: 9n, exec: false, ino: 8n, target })
const otherOnDisk: LocalStat = { kind: 'other', size: 0, mtimeNs: 9n, exec: false, ino: 9n, target: '' }

const rec = (entry: Entry, seq = 5, stat: IndexRecord['stat'] = entry.kind === 'file' && !entry.deleted ? STAT : null): IndexRecord => ({ entry, seq, stat })

describe('localState', () => {
  const table: Array<[string, LocalStat | null, IndexRecord | undefined, LocalState]> = [
    ['nothing on disk, nothing in the index', null, undefined, 'absent'],
    ['nothing on disk, a tombstone in the index', null, rec(gone), 'absent'],
    ['nothing on disk where the index has a file', null, rec(fileEntry(1, 10)), 'deleted'],
    ['nothing on disk where the index has a directory', null, rec(dirEntry), 'deleted'],
    ['a socket or fifo where the index has a file (not syncable: as if deleted)', otherOnDisk, rec(fileEntry(1, 10)), 'deleted'],
    ['a socket or fifo the index never knew', otherOnDisk, undefined, 'absent'],
    ['a file the index never knew', onDisk(), undefined, 'changed'],
    ['a file where the index has a tombstone', onDisk(), rec(gone), 'changed'],
    ['a file with the stat the index recorded', onDisk(), rec(fileEntry(1, 10)), 'unchanged'],
    ['a file of another size', onDisk({ size: 11 }), rec(fileEntry(1, 10)), 'changed'],
    ['a file with another mtime', onDisk({ mtimeNs: STAT.mtimeNs + 1n }), rec(fileEntry(1, 10)), 'changed'],
    ['a file with another inode (replaced by a rename)', onDisk({ ino: 43n }), rec(fileEntry(1, 10)), 'changed'],
    ['a file that became executable', onDisk({ exec: true }), rec(fileEntry(1, 10)), 'changed'],
    ['a file that is no longer executable', onDisk(), rec(fileEntry(1, 10, { exec: true })), 'changed'],
    ['a file whose index record has no stat', onDisk(), rec(fileEntry(1, 10), 5, null), 'changed'],
    ['a directory where the index has a file', dirOnDisk, rec(fileEntry(1, 10)), 'changed'],
    ['a file where the index has a directory', onDisk(), rec(dirEntry), 'changed'],
    ['a directory the index knows (its mtime does not matter)', dirOnDisk, rec(dirEntry), 'unchanged'],
    ['a symlink to the recorded target', linkOnDisk('a'), rec(linkEntry('a')), 'unchanged'],
    ['a symlink to another target', linkOnDisk('b'), rec(linkEntry('a')), 'changed'],
    ['a symlink where the index has a file', linkOnDisk('a'), rec(fileEntry(1, 10)), 'changed']
  ]
  for (const [what, local, r, expected] of table) {
    test(`${what}: ${expected}`, () => {
      assert.equal(localState(local, r), expected)
    })
  }
})

describe('decideRemote', () => {
  const remoteFile = fileEntry(2, 10)
  const table: Array<[string, LocalStat | null, IndexRecord | undefined, Entry, number, Uint8Array | undefined, RemoteAction]> = [
    // already there
    ['the index is at this seq', onDisk(), rec(fileEntry(1, 10), 9), remoteFile, 9, undefined, 'skip'],
    ['the index is past this seq', onDisk(), rec(fileEntry(1, 10), 12), remoteFile, 9, undefined, 'skip'],
    ['the index is past this seq, even if the user changed the file', onDisk({ size: 99 }), rec(fileEntry(1, 10), 12), remoteFile, 9, undefined, 'skip'],

    // the disk is as the index knows it: follow the hub
    ['the file is unchanged: apply the new version', onDisk(), rec(fileEntry(1, 10)), remoteFile, 9, undefined, 'apply'],
    ['the file is unchanged: apply the remote delete', onDisk(), rec(fileEntry(1, 10)), gone, 9, undefined, 'apply'],
    ['nothing here and nothing known: apply the new file', null, undefined, remoteFile, 9, undefined, 'apply'],
    ['nothing here and a tombstone known: apply the new file', null, rec(gone), remoteFile, 9, undefined, 'apply'],
    ['nothing here: apply a remote delete (records the tombstone)', null, undefined, gone, 9, undefined, 'apply'],
    ['the directory is unchanged: apply its replacement by a file', dirOnDisk, rec(dirEntry), remoteFile, 9, undefined, 'apply'],

    // the user deleted it too / deleted it while the hub changed it
    ['deleted here and on the hub: adopt the tombstone', null, rec(fileEntry(1, 10)), gone, 9, undefined, 'adopt'],
    ['deleted here, changed on the hub: propose the delete (the hub decides)', null, rec(fileEntry(1, 10)), remoteFile, 9, undefined, 'propose-local'],

    // the user changed it
    ['changed here, deleted on the hub: propose the local version', onDisk({ size: 11 }), rec(fileEntry(1, 10)), gone, 9, undefined, 'propose-local'],
    ['a file here, a directory from the hub: propose the file', onDisk({ size: 11 }), rec(fileEntry(1, 10)), dirEntry, 9, undefined, 'propose-local'],
    ['a new directory here, a directory from the hub: adopt', dirOnDisk, undefined, dirEntry, 9, undefined, 'adopt'],
    ['a new symlink here to the same target: adopt', linkOnDisk('a'), undefined, linkEntry('a'), 9, undefined, 'adopt'],
    ['a new symlink here to another target: propose it', linkOnDisk('b'), undefined, linkEntry('a'), 9, undefined, 'propose-local'],
    ['a changed file of another size than the remote: propose it without hashing', onDisk({ size: 11 }), rec(fileEntry(1, 10)), remoteFile, 9, undefined, 'propose-local'],
    ['a changed file of the remote size: hash it first', onDisk({ mtimeNs: 1n }), rec(fileEntry(1, 10)), remoteFile, 9, undefined, 'hash-local'],
    ['a changed file with the remote content: adopt', onDisk({ mtimeNs: 1n }), rec(fileEntry(1, 10)), remoteFile, 9, hashOf(2), 'adopt'],
    ['a changed file with the remote content but another exec bit: adopt, fixing the mode', onDisk({ mtimeNs: 1n, exec: true }), rec(fileEntry(1, 10)), remoteFile, 9, hashOf(2), 'adopt-metadata'],
    ['a changed file with other content: propose it', onDisk({ mtimeNs: 1n }), rec(fileEntry(1, 10)), remoteFile, 9, hashOf(3), 'propose-local'],

    // first join: files already here that the index never saw
    ['first join, same content: hash, then adopt', onDisk(), undefined, remoteFile, 9, undefined, 'hash-local'],
    ['first join, same content, hashed: adopt', onDisk(), undefined, remoteFile, 9, hashOf(2), 'adopt'],
    ['first join, different content: propose it', onDisk(), undefined, remoteFile, 9, hashOf(1), 'propose-local'],
    ['first join, a file here where the hub has a tombstone: propose it', onDisk(), undefined, gone, 9, undefined, 'propose-local']
  ]
  for (const [what, local, r, remote, seq, hash, expected] of table) {
    test(`${what}: ${expected}`, () => {
      assert.equal(decideRemote(local, r, remote, seq, hash), expected)
    })
  }

  // ---- the safety contract, on arbitrary inputs ----
  const arbLocal: fc.Arbitrary<LocalStat | null> = fc.option(fc.record({
    kind: fc.constantFrom<LocalStat['kind']>('file', 'dir', 'symlink', 'other'),
    size: fc.constantFrom(10, 11),
    mtimeNs: fc.constantFrom(1n, STAT.mtimeNs),
    exec: fc.boolean(),
    ino: fc.constantFrom(42n, 43n),
    target: fc.constantFrom('a', 'b')
  }), { nil: null })
  const arbEntry: fc.Arbitrary<Entry> = fc.oneof(
    fc.record({ c: fc.constantFrom(1, 2), size: fc.constantFrom(10, 11), exec: fc.boolean() }).map(({ c, size, exec }) => fileEntry(c, size, { exec })),
    fc.constant(dirEntry),
    fc.constantFrom('a', 'b').map(linkEntry),
    fc.constant(gone)
  )
  const arbRec: fc.Arbitrary<IndexRecord | undefined> = fc.option(fc.record({
    entry: arbEntry,
    seq: fc.integer({ min: 0, max: 10 }),
    stat: fc.option(fc.constant(STAT), { nil: null })
  }), { nil: undefined })
  const arbHash = fc.option(fc.constantFrom(hashOf(1), hashOf(2)), { nil: undefined })

  test('property: a seq the index already has is skipped, and only then', () => {
    fc.assert(fc.property(arbLocal, arbRec, arbEntry, fc.integer({ min: 0, max: 10 }), arbHash, (local, r, remote, seq, hash) => {
      const action = decideRemote(local, r, remote, seq, hash)
      assert.equal(action === 'skip', r != null && r.seq >= seq)
    }), { numRuns: 2000 })
  })

  test('property: never overwrites a local change; adopts only what already matches the remote', () => {
    fc.assert(fc.property(arbLocal, arbRec, arbEntry, fc.integer({ min: 0, max: 10 }), arbHash, (local, r, remote, seq, hash) => {
      const action = decideRemote(local, r, remote, seq, hash)
      const present = local != null && local.kind !== 'other' ? local : null
      // what the user has, compared with the index by hand (not through localState)
      const known = r != null && !r.entry.deleted ? r.entry : null
      const userChanged = present == null
        ? known != null
        : known == null || known.kind !== present.kind ||
          (known.kind === 'symlink' && known.target !== present.target) ||
          (known.kind === 'file' && (r?.stat == null || r.stat.size !== present.size || r.stat.mtimeNs !== present.mtimeNs || r.stat.ino !== present.ino || known.exec !== present.exec))
      if (action === 'apply') assert.ok(!userChanged, 'apply would overwrite a local change')
      if (action === 'adopt' || action === 'adopt-metadata') {
        if (remote.deleted) assert.equal(present, null)
        else {
          assert.ok(present != null && present.kind === remote.kind, 'adopted a different kind')
          if (remote.kind === 'symlink') assert.equal(present.target, remote.target)
          if (remote.kind === 'file') {
            assert.equal(present.size, remote.size)
            assert.deepEqual(hash, remote.hash, 'adopted a file without knowing its content matches')
          }
        }
      }
      if (action === 'adopt') assert.ok(remote.kind !== 'file' || remote.deleted || present?.exec === remote.exec, 'adopt leaves a wrong exec bit')
      if (action === 'hash-local') assert.equal(hash, undefined, 'asked to hash what is already hashed')
    }), { numRuns: 3000 })
  })
})

describe('stillBeingWritten', () => {
  const NOW = 1_000_000_000_000n
  const ms = (n: number): bigint => BigInt(n) * 1_000_000n
  const file = (size: number, ctimeAgoMs: number | null, mtimeAgoMs = ctimeAgoMs ?? 60_000): LocalStat => ({
    kind: 'file', size, mtimeNs: NOW - ms(mtimeAgoMs), exec: false, ino: 1n, target: '', ...(ctimeAgoMs == null ? {} : { ctimeNs: NOW - ms(ctimeAgoMs) })
  })
  const table: Array<[string, LocalStat, boolean]> = [
    ['an empty file changed 5 ms ago (truncated, its content not yet written)', file(0, 5), true],
    ['an empty file changed 300 ms ago (really empty)', file(0, 300), false],
    ['a small file changed 5 ms ago (the latency case: sent at once)', file(1024, 5), false],
    ['a just-under-8 MiB file changed 5 ms ago', file(SETTLE_CHECK_BYTES - 1, 5), false],
    ['an 8 MiB file changed 5 ms ago', file(SETTLE_CHECK_BYTES, 5), true],
    ['an 8 MiB file changed 199 ms ago', file(SETTLE_CHECK_BYTES, 199), true],
    ['an 8 MiB file changed 200 ms ago', file(SETTLE_CHECK_BYTES, 200), false],
    ['a big file moved in or renamed just now: fresh ctime, old mtime (complete)', file(SETTLE_CHECK_BYTES, 5, 3_600_000), false],
    ['an empty file stamped with an old mtime just now (touch -d): complete', file(0, 5, 3_600_000), false],
    ['a big file with a fresh mtime but an old ctime cannot be (ctime decides)', file(SETTLE_CHECK_BYTES, 10_000, 5), false],
    ['a big file written just now but stamped ahead: settled (never put off forever)', file(SETTLE_CHECK_BYTES, 5, -5000), false],
    ['no ctime known: the mtime decides', file(0, null, 5), true],
    ['a ctime in the future counts as settled (never put off forever)', file(0, -5000), false],
    ['a directory is never put off', { ...file(0, 5), kind: 'dir' }, false]
  ]
  for (const [what, local, expected] of table) {
    test(what, () => { assert.equal(stillBeingWritten(local, NOW), expected) })
  }
})
