// The journal's tree shape (issue 16): never a live entry below a file or link, as a table.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ChunkList } from '../../src/chunk/chunk-list.ts'
import { tombstone, type Entry, type EntryKind } from '../../src/index/entry.ts'
import { decideShape, LIVE_BELOW, PARENT_NOT_DIR, type ShapeDecision } from '../../src/reconcile/tree-shape.ts'

function entry (path: string, kind: EntryKind): Entry {
  return { path, kind, size: 0, mtimeNs: 1n, exec: false, deleted: false, hash: new Uint8Array(0), chunks: ChunkList.EMPTY, target: kind === 'symlink' ? 't' : '' }
}
const gone = (path: string, kind: EntryKind): Entry => tombstone(path, kind, 2n)

/** A journal as a list of entries. */
function journal (entries: Entry[]): { liveKind: (p: string) => EntryKind | undefined, liveBelow: (d: string) => boolean } {
  const byPath = new Map(entries.map(e => [e.path, e]))
  return {
    liveKind: p => { const e = byPath.get(p); return e == null || e.deleted ? undefined : e.kind },
    liveBelow: d => entries.some(e => !e.deleted && e.path.startsWith(`${d}/`))
  }
}

const OK = undefined
const REFUSE_PARENT: ShapeDecision = { action: 'refuse', reason: PARENT_NOT_DIR }
const REFUSE_BELOW: ShapeDecision = { action: 'refuse', reason: LIVE_BELOW }

const cases: Array<{ what: string, held: Entry[], proposal: Entry, copies?: boolean, expect: ShapeDecision | undefined | 'supersede-copy' | 'supersede' }> = [
  { what: 'a new file in an empty journal', held: [], proposal: entry('x', 'file'), expect: OK },
  { what: 'a file below a directory', held: [entry('x', 'dir')], proposal: entry('x/a', 'file'), expect: OK },
  { what: 'a file below a parent with no entry (an old journal)', held: [], proposal: entry('x/a', 'file'), expect: OK },
  { what: 'a file below a file', held: [entry('x', 'file')], proposal: entry('x/a', 'file'), expect: REFUSE_PARENT },
  { what: 'a directory below a file', held: [entry('x', 'file')], proposal: entry('x/a', 'dir'), expect: REFUSE_PARENT },
  { what: 'a file below a link', held: [entry('x', 'symlink')], proposal: entry('x/a', 'file'), expect: REFUSE_PARENT },
  { what: 'a file two levels below a file', held: [entry('x', 'dir'), entry('x/y', 'file')], proposal: entry('x/y/z/a', 'file'), expect: REFUSE_PARENT },
  { what: 'below a directory, the parents above it are not read (none can be a file then)', held: [entry('x', 'file'), entry('x/y', 'dir')], proposal: entry('x/y/a', 'file'), expect: OK },
  { what: 'a file below a deleted file', held: [gone('x', 'file')], proposal: entry('x/a', 'file'), expect: OK },
  { what: 'a deletion below a file', held: [entry('x', 'file'), entry('x/a', 'file')], proposal: gone('x/a', 'file'), expect: OK },
  { what: 'a name that only starts like the file', held: [entry('x', 'file')], proposal: entry('xa/b', 'file'), expect: OK },
  { what: 'a file where a directory holds entries', held: [entry('x', 'dir'), entry('x/a', 'file')], proposal: entry('x', 'file'), expect: 'supersede-copy' },
  { what: 'the same in last-writer-wins mode: no copy', held: [entry('x', 'dir'), entry('x/a', 'file')], proposal: entry('x', 'file'), copies: false, expect: 'supersede' },
  { what: 'a link where a directory holds entries', held: [entry('x', 'dir'), entry('x/a', 'dir')], proposal: entry('x', 'symlink'), expect: 'supersede' },
  { what: 'a file where an empty directory is', held: [entry('x', 'dir'), gone('x/a', 'file')], proposal: entry('x', 'file'), expect: OK },
  { what: 'a file where entries live below no directory entry', held: [entry('x/a', 'file')], proposal: entry('x', 'file'), expect: REFUSE_BELOW },
  { what: 'a file where entries live below a deleted directory', held: [gone('x', 'dir'), entry('x/a', 'file')], proposal: entry('x', 'file'), expect: REFUSE_BELOW },
  { what: 'a directory where entries live below', held: [entry('x', 'dir'), entry('x/a', 'file')], proposal: entry('x', 'dir'), expect: OK },
  { what: 'a deletion of a directory that holds entries', held: [entry('x', 'dir'), entry('x/a', 'file')], proposal: gone('x', 'dir'), expect: REFUSE_BELOW },
  { what: 'a deletion of a directory whose entries are deleted', held: [entry('x', 'dir'), gone('x/a', 'file')], proposal: gone('x', 'dir'), expect: OK },
  { what: 'a deletion of a file', held: [entry('x', 'file')], proposal: gone('x', 'file'), expect: OK }
]

for (const c of cases) {
  test(`tree shape: ${c.what}`, () => {
    const current = c.held.find(e => e.path === c.proposal.path)
    const got = decideShape(c.proposal, current, journal(c.held), c.copies ?? true)
    if (c.expect === 'supersede' || c.expect === 'supersede-copy') {
      assert.equal(got?.action, 'supersede')
      assert.equal(got.action === 'supersede' && got.copyProposal, c.expect === 'supersede-copy')
    } else {
      assert.deepEqual(got, c.expect)
    }
  })
}
