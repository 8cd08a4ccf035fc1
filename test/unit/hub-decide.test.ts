// The hub's ordering of concurrent changes: the conflict rules of DESIGN.md flow 4, as a table.
import { test, describe } from 'node:test'
import { ChunkList } from '../../src/chunk/chunk-list.ts'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { decideProposal, wins, type ConflictMode, type HubDecision } from '../../src/reconcile/hub-decide.ts'
import { sameContent, tombstone, type Entry, type EntryKind, type JournalEntry } from '../../src/index/entry.ts'

const PATH = 'docs/report.txt'
const hashOf = (byte: number): Uint8Array => new Uint8Array(32).fill(byte)

/** A live file whose content is named by one byte: same byte, same content. */
function file (mtime: number, content: number, more: Partial<Entry> = {}): Entry {
  const size = 100 + content
  return { path: PATH, kind: 'file', size, mtimeNs: BigInt(mtime), exec: false, deleted: false, hash: hashOf(content), chunks: ChunkList.of([{ hash: hashOf(content + 1), size }]), target: '', ...more }
}
function dir (mtime: number): Entry {
  return { path: PATH, kind: 'dir', size: 0, mtimeNs: BigInt(mtime), exec: false, deleted: false, hash: new Uint8Array(0), chunks: ChunkList.EMPTY, target: '' }
}
function link (mtime: number, target: string): Entry {
  return { path: PATH, kind: 'symlink', size: 0, mtimeNs: BigInt(mtime), exec: false, deleted: false, hash: new Uint8Array(0), chunks: ChunkList.EMPTY, target }
}
const gone = (mtime: number, kind: EntryKind = 'file'): Entry => tombstone(PATH, kind, BigInt(mtime))
const at = (seq: number, entry: Entry): JournalEntry => ({ entry, seq })

type Expected =
  | { action: 'same', seq: number }
  | { action: 'accept', copyCurrent: boolean }
  | { action: 'supersede', copyProposal: boolean }

const SAME = (seq: number): Expected => ({ action: 'same', seq })
const ACCEPT: Expected = { action: 'accept', copyCurrent: false }
const ACCEPT_COPY_CURRENT: Expected = { action: 'accept', copyCurrent: true }
const SUPERSEDE: Expected = { action: 'supersede', copyProposal: false }
const SUPERSEDE_COPY_PROPOSAL: Expected = { action: 'supersede', copyProposal: true }

interface Case {
  what: string
  current: JournalEntry | undefined
  proposal: Entry
  baseSeq: number
  copy: Expected
  /** in lww mode: the same decision, never a copy (defaults to `copy` without copies) */
  lww?: Expected
  /** who proposed the current version, and who proposes now (peer IDs) */
  origin?: string
  proposer?: string
}

function withoutCopies (e: Expected): Expected {
  if (e.action === 'accept') return { action: 'accept', copyCurrent: false }
  if (e.action === 'supersede') return { action: 'supersede', copyProposal: false }
  return e
}

function comparable (d: HubDecision): Expected {
  if (d.action === 'supersede') {
    assert.ok(d.reason.length > 0, 'a supersede says why')
    return { action: 'supersede', copyProposal: d.copyProposal }
  }
  return d
}

const cases: Case[] = [
  // no journal entry yet
  { what: 'a new file is accepted', current: undefined, proposal: file(10, 1), baseSeq: 0, copy: ACCEPT },
  { what: 'a new directory is accepted', current: undefined, proposal: dir(10), baseSeq: 0, copy: ACCEPT },
  { what: 'a new symlink is accepted', current: undefined, proposal: link(10, 'x'), baseSeq: 0, copy: ACCEPT },
  { what: 'deleting a path the hub never had changes nothing', current: undefined, proposal: gone(10), baseSeq: 0, copy: SAME(0) },

  // the proposer knew the current version: a fast-forward
  { what: 'an edit on the current version is accepted', current: at(5, file(10, 1)), proposal: file(20, 2), baseSeq: 5, copy: ACCEPT },
  { what: 'an edit on the current version is accepted even with an older mtime', current: at(5, file(20, 1)), proposal: file(10, 2), baseSeq: 5, copy: ACCEPT },
  { what: 'a delete of the current version is accepted', current: at(5, file(10, 1)), proposal: gone(20), baseSeq: 5, copy: ACCEPT },
  { what: 're-creating a path over the tombstone it knew is accepted', current: at(5, gone(10)), proposal: file(20, 1), baseSeq: 5, copy: ACCEPT },
  { what: 'replacing a file by a directory on the current version is accepted', current: at(5, file(10, 1)), proposal: dir(20), baseSeq: 5, copy: ACCEPT },
  { what: 'an exec-bit change on the current version is accepted', current: at(5, file(10, 1)), proposal: file(10, 1, { exec: true }), baseSeq: 5, copy: ACCEPT },

  // the proposal holds what the hub already has
  { what: 'identical content and mtime on the current version is the same', current: at(5, file(10, 1)), proposal: file(10, 1), baseSeq: 5, copy: SAME(5) },
  { what: 'identical content from a stale base is the same', current: at(5, file(10, 1)), proposal: file(30, 1), baseSeq: 3, copy: SAME(5) },
  { what: 'an mtime-only change on the current version is accepted (metadata worth recording)', current: at(5, file(10, 1)), proposal: file(30, 1), baseSeq: 5, copy: ACCEPT },
  { what: 'an mtime-only change on the current version, to an older mtime, is accepted', current: at(5, file(30, 1)), proposal: file(10, 1), baseSeq: 5, copy: ACCEPT },
  { what: 'a delete of an already deleted path is the same', current: at(5, gone(10)), proposal: gone(20), baseSeq: 3, copy: SAME(5) },
  { what: 'a delete of an already deleted path, on its tombstone, is the same', current: at(5, gone(10)), proposal: gone(20), baseSeq: 5, copy: SAME(5) },
  { what: 'a directory the hub already has is the same, whatever its mtime', current: at(5, dir(10)), proposal: dir(20), baseSeq: 5, copy: SAME(5) },
  { what: 'a symlink to the same target is the same', current: at(5, link(10, 'a')), proposal: link(20, 'a'), baseSeq: 2, copy: SAME(5) },

  // conflicts between two live files: the most recent mtime wins, the loser is kept as a copy
  { what: 'conflict: the newer proposal wins, the hub keeps its old content as a copy', current: at(5, file(10, 1)), proposal: file(20, 2), baseSeq: 3, copy: ACCEPT_COPY_CURRENT, lww: ACCEPT },
  { what: 'conflict: the older proposal loses and is kept as a copy', current: at(5, file(20, 1)), proposal: file(10, 2), baseSeq: 3, copy: SUPERSEDE_COPY_PROPOSAL, lww: SUPERSEDE },
  { what: 'conflict from a client that never saw the path (base 0): the newer proposal wins', current: at(5, file(10, 1)), proposal: file(20, 2), baseSeq: 0, copy: ACCEPT_COPY_CURRENT },
  { what: 'conflict, equal mtimes: the proposal with the larger hash wins', current: at(5, file(10, 1)), proposal: file(10, 2), baseSeq: 3, copy: ACCEPT_COPY_CURRENT, lww: ACCEPT },
  { what: 'conflict, equal mtimes: the proposal with the smaller hash loses', current: at(5, file(10, 2)), proposal: file(10, 1), baseSeq: 3, copy: SUPERSEDE_COPY_PROPOSAL, lww: SUPERSEDE },
  { what: 'conflict, equal mtimes: the first byte that differs decides, not the length of the run', current: at(5, file(10, 0x7f)), proposal: file(10, 0x80), baseSeq: 3, copy: ACCEPT_COPY_CURRENT },
  { what: 'conflict: an exec-bit change loses to a newer content change', current: at(5, file(20, 2)), proposal: file(10, 1, { exec: true }), baseSeq: 3, copy: SUPERSEDE_COPY_PROPOSAL },

  // a modification beats a deletion, whichever is newer
  { what: 'conflict: a delete loses to a live file, without a copy (there is nothing to keep)', current: at(5, file(10, 1)), proposal: gone(20), baseSeq: 3, copy: SUPERSEDE },
  { what: 'conflict: a delete loses to a live directory', current: at(5, dir(10)), proposal: gone(20, 'dir'), baseSeq: 3, copy: SUPERSEDE },
  { what: 'conflict: a delete loses to a live symlink', current: at(5, link(10, 'a')), proposal: gone(20, 'symlink'), baseSeq: 3, copy: SUPERSEDE },
  { what: 'conflict: a live file beats the hub\'s newer deletion', current: at(5, gone(20)), proposal: file(10, 1), baseSeq: 3, copy: ACCEPT },
  { what: 'conflict: a live directory beats the hub\'s deletion', current: at(5, gone(20, 'dir')), proposal: dir(10), baseSeq: 3, copy: ACCEPT },

  // directories and files: a directory holds other entries, so it stays
  { what: 'conflict: a newer file does not replace a directory; the file is kept as a copy', current: at(5, dir(10)), proposal: file(20, 1), baseSeq: 3, copy: SUPERSEDE_COPY_PROPOSAL, lww: SUPERSEDE },
  { what: 'conflict: a newer symlink does not replace a directory (no copy of a symlink)', current: at(5, dir(10)), proposal: link(20, 'a'), baseSeq: 3, copy: SUPERSEDE },
  { what: 'conflict: an older directory replaces a file; the file is kept as a copy', current: at(5, file(20, 1)), proposal: dir(10), baseSeq: 3, copy: ACCEPT_COPY_CURRENT, lww: ACCEPT },
  { what: 'conflict: a directory replaces a symlink (no copy of a symlink)', current: at(5, link(20, 'a')), proposal: dir(10), baseSeq: 3, copy: ACCEPT },

  // issue 17: a client that lost the hub before hearing its proposal's seq proposes its next
  // version on the base it knew; the current version is its own, so this is no conflict
  { what: 'own version, stale base: a newer edit replaces it without a copy', current: at(6, file(20, 1)), proposal: file(30, 2), baseSeq: 5, origin: 'alice', proposer: 'alice', copy: ACCEPT },
  { what: 'own version, stale base: even an older mtime replaces it (the file on disk is what the client has)', current: at(6, file(20, 1)), proposal: file(10, 2), baseSeq: 5, origin: 'alice', proposer: 'alice', copy: ACCEPT },
  { what: 'own version, stale base: a deletion replaces it', current: at(6, file(20, 1)), proposal: gone(30), baseSeq: 5, origin: 'alice', proposer: 'alice', copy: ACCEPT },
  { what: 'own version, stale base, same content: nothing to commit', current: at(6, file(20, 1)), proposal: file(20, 1), baseSeq: 5, origin: 'alice', proposer: 'alice', copy: SAME(6) },
  { what: 'another member\'s version, stale base: still a conflict, the replaced one kept', current: at(6, file(20, 1)), proposal: file(30, 2), baseSeq: 5, origin: 'bob', proposer: 'alice', copy: ACCEPT_COPY_CURRENT },
  { what: 'another member\'s version, stale base: an older edit still loses', current: at(6, file(20, 1)), proposal: file(10, 2), baseSeq: 5, origin: 'bob', proposer: 'alice', copy: SUPERSEDE_COPY_PROPOSAL },

  // symlinks: same mtime rule, but only files are kept as copies
  { what: 'conflict: a newer symlink replaces a file, which is kept as a copy', current: at(5, file(10, 1)), proposal: link(20, 'a'), baseSeq: 3, copy: ACCEPT_COPY_CURRENT },
  { what: 'conflict: a newer file replaces a symlink (no copy of a symlink)', current: at(5, link(10, 'a')), proposal: file(20, 1), baseSeq: 3, copy: ACCEPT },
  { what: 'conflict: an older symlink loses to a file (no copy of a symlink)', current: at(5, file(20, 1)), proposal: link(10, 'a'), baseSeq: 3, copy: SUPERSEDE },
  { what: 'conflict: a newer symlink target wins over an older one', current: at(5, link(10, 'a')), proposal: link(20, 'b'), baseSeq: 3, copy: ACCEPT },
  { what: 'conflict: an older symlink target loses', current: at(5, link(20, 'a')), proposal: link(10, 'b'), baseSeq: 3, copy: SUPERSEDE }
]

describe('decideProposal', () => {
  for (const c of cases) {
    for (const mode of ['copy', 'lww'] as ConflictMode[]) {
      test(`${c.what} [${mode}]`, () => {
        const expected = mode === 'copy' ? c.copy : (c.lww ?? withoutCopies(c.copy))
        const current = c.current == null ? undefined : { ...c.current, ...(c.origin != null ? { origin: c.origin } : {}) }
        assert.deepEqual(comparable(decideProposal(current, c.proposal, c.baseSeq, mode, c.proposer)), expected)
      })
    }
  }
})

// ---- properties ----

const mtimes = fc.constantFrom(-5n, 0n, 10n, 20n, 1n << 60n)
const hashes = fc.constantFrom(new Uint8Array(0), hashOf(0), hashOf(1), hashOf(0xff), Uint8Array.from({ length: 32 }, (_, i) => i))
const anyEntry: fc.Arbitrary<Entry> = fc.record({
  kind: fc.constantFrom<EntryKind>('file', 'dir', 'symlink'),
  mtimeNs: mtimes,
  hash: hashes,
  exec: fc.boolean(),
  target: fc.constantFrom('', 'a', 'b'),
  deleted: fc.boolean()
}).map(r => ({ path: PATH, size: r.hash.length, chunks: ChunkList.EMPTY, ...r }))

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

describe('wins', () => {
  test('property: never both ways; exactly one way when mtime or hash differ; and by the rule', () => {
    fc.assert(fc.property(anyEntry, anyEntry, (a, b) => {
      const ab = wins(a, b)
      const ba = wins(b, a)
      assert.ok(!(ab && ba), 'both entries win')
      if (a.mtimeNs !== b.mtimeNs) {
        assert.equal(ab, a.mtimeNs > b.mtimeNs, 'the more recent mtime wins')
        assert.equal(ba, !ab)
      } else if (hex(a.hash) !== hex(b.hash)) {
        assert.equal(ab, hex(a.hash) > hex(b.hash), 'equal mtimes: the larger hash wins')
        assert.equal(ba, !ab)
      }
    }), { numRuns: 1000 })
  })

  test('property: an entry never beats itself, and the order is transitive', () => {
    fc.assert(fc.property(anyEntry, anyEntry, anyEntry, (a, b, c) => {
      assert.equal(wins(a, a), false)
      if (wins(a, b) && wins(b, c)) assert.ok(wins(a, c))
    }), { numRuns: 1000 })
  })

  test('determinism across nodes: a copy of an entry (other object, same bytes) compares the same', () => {
    const a = file(10, 1)
    const b = file(10, 2)
    assert.equal(wins(b, a), true)
    assert.equal(wins({ ...b, hash: Uint8Array.from(b.hash) }, { ...a, hash: Uint8Array.from(a.hash) }), true)
  })
})

describe('two concurrent changes from the same base', () => {
  // What a client actually proposes: a content change, or a file whose mtime alone changed.
  const content = fc.oneof(
    fc.record({ m: mtimes, c: fc.integer({ min: 0, max: 3 }), x: fc.boolean() }).map(({ m, c, x }) => file(Number(m % 1000n), c, { exec: x })),
    mtimes.map(m => dir(Number(m % 1000n))),
    fc.record({ m: mtimes, t: fc.constantFrom('a', 'b') }).map(({ m, t }) => link(Number(m % 1000n), t)),
    fc.record({ m: mtimes, k: fc.constantFrom<EntryKind>('file', 'dir') }).map(({ m, k }) => gone(Number(m % 1000n), k))
  )
  const isChangeOf = (base: Entry, p: Entry): boolean =>
    !sameContent(base, p) || (p.kind === 'file' && !p.deleted && p.mtimeNs !== base.mtimeNs)

  interface Hub { current: JournalEntry, copies: Entry[] }
  function propose (hub: Hub, p: Entry, baseSeq: number, mode: ConflictMode): void {
    const d = decideProposal(hub.current, p, baseSeq, mode)
    if (d.action === 'accept') {
      if (d.copyCurrent) hub.copies.push(hub.current.entry)
      hub.current = at(hub.current.seq + 1, p)
    } else if (d.action === 'supersede' && d.copyProposal) {
      hub.copies.push(p)
    }
  }

  test('property: the hub ends with the same content whichever arrives first (every node decides the same)', () => {
    fc.assert(fc.property(content, content, content, fc.constantFrom<ConflictMode>('copy', 'lww'), (base, a, b, mode) => {
      fc.pre(isChangeOf(base, a) && isChangeOf(base, b))
      const ab: Hub = { current: at(7, base), copies: [] }
      propose(ab, a, 7, mode)
      propose(ab, b, 7, mode)
      const ba: Hub = { current: at(7, base), copies: [] }
      propose(ba, b, 7, mode)
      propose(ba, a, 7, mode)
      assert.ok(sameContent(ab.current.entry, ba.current.entry),
        `a then b ends with ${JSON.stringify(ab.current.entry, bigints)}, b then a with ${JSON.stringify(ba.current.entry, bigints)}`)
    }), { numRuns: 2000 })
  })

  test('property: two different live files from one base: the winner is on the hub, the loser kept as a copy (copy mode only)', () => {
    const liveFile = fc.record({ m: mtimes, c: fc.integer({ min: 0, max: 3 }) }).map(({ m, c }) => file(Number(m % 1000n), c))
    fc.assert(fc.property(liveFile, liveFile, liveFile, fc.boolean(), (base, a, b, aFirst) => {
      fc.pre(!sameContent(a, b) && isChangeOf(base, a) && isChangeOf(base, b))
      const [first, second] = aFirst ? [a, b] : [b, a]
      const winner = wins(a, b) ? a : b
      const loser = winner === a ? b : a
      for (const mode of ['copy', 'lww'] as ConflictMode[]) {
        const hub: Hub = { current: at(7, base), copies: [] }
        propose(hub, first, 7, mode)
        propose(hub, second, 7, mode)
        assert.equal(hub.current.entry, winner)
        assert.deepEqual(hub.copies, mode === 'copy' ? [loser] : [])
      }
    }), { numRuns: 500 })
  })
})

function bigints (_key: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? hex(v) : v
}
