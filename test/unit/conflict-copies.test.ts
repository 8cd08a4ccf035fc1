// Reading a conflict copy's name back: the inverse of conflictCopyPath, for `distsync conflicts`.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { conflictCopyPath, parseConflictCopy } from '../../src/reconcile/conflict-name.ts'

const PEER = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'
const MTIME = 1_767_323_045_000_000_000n // 2026-01-02T03:04:05Z

test('a table of names', () => {
  const table: Array<[string, string | undefined, number?]> = [
    ['report.sync-conflict-20260102-030405-kSCVe2Xo.txt', 'report.txt'],
    ['docs/a.b/Makefile.sync-conflict-20260102-030405-kSCVe2Xo', 'docs/a.b/Makefile'],
    ['.bashrc.sync-conflict-20260102-030405-kSCVe2Xo', '.bashrc'],
    ['archive.tar.sync-conflict-20260102-030405-kSCVe2Xo-3.gz', 'archive.tar.gz', 3],
    ['report.txt', undefined],
    ['report.sync-conflict-2026-kSCVe2Xo.txt', undefined],
    ['.sync-conflict-20260102-030405-kSCVe2Xo', undefined],
    ['report.sync-conflict-20261302-030405-kSCVe2Xo.txt', 'report.txt'] // month 13 rolls over: still a copy
  ]
  for (const [name, original, n] of table) {
    const parsed = parseConflictCopy(name)
    assert.equal(parsed?.original, original, name)
    if (parsed != null) {
      assert.equal(parsed.peer8, 'kSCVe2Xo')
      assert.equal(parsed.n, n ?? 1)
    }
  }
  assert.equal(parseConflictCopy('report.sync-conflict-20260102-030405-kSCVe2Xo.txt')?.stamp.toISOString(), '2026-01-02T03:04:05.000Z')
})

test('every name conflictCopyPath makes reads back as its path, peer and number', () => {
  const segment = fc.stringMatching(/^[a-zA-Z0-9 _-][a-zA-Z0-9 ._-]{0,20}$/).filter(s => s !== '.' && s !== '..')
  fc.assert(fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 1000 }), (parts, n) => {
    const path = parts.join('/')
    const parsed = parseConflictCopy(conflictCopyPath(path, MTIME, PEER, n))
    assert.equal(parsed?.original, path)
    assert.equal(parsed.peer8, PEER.slice(-8))
    assert.equal(parsed.n, n)
  }))
})
