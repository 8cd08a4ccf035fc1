// Conflict copy names: name.sync-conflict-YYYYMMDD-HHMMSS-<peer8>.ext, from the loser's mtime.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { conflictCopyPath, freeConflictCopyPath, MAX_COPY_NUMBER, type PathHolds } from '../../src/reconcile/conflict-name.ts'

const PEER = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'
const PEER8 = 'kSCVe2Xo'
/** 2026-01-02T03:04:05Z: 20455 days (56 years, 14 of them leap, plus one day) and 3 h 4 min 5 s. */
const SECONDS = 20455n * 86400n + 3n * 3600n + 4n * 60n + 5n
const MTIME = SECONDS * 1_000_000_000n
const STAMP = '20260102-030405'

describe('conflictCopyPath', () => {
  const table: Array<[string, string, string]> = [
    ['a name with an extension', 'report.txt', `report.sync-conflict-${STAMP}-${PEER8}.txt`],
    ['a nested path keeps its directory', 'docs/2026/report.txt', `docs/2026/report.sync-conflict-${STAMP}-${PEER8}.txt`],
    ['a name without an extension', 'Makefile', `Makefile.sync-conflict-${STAMP}-${PEER8}`],
    ['a dotfile has no extension', '.bashrc', `.bashrc.sync-conflict-${STAMP}-${PEER8}`],
    ['a nested dotfile has no extension', 'home/.bashrc', `home/.bashrc.sync-conflict-${STAMP}-${PEER8}`],
    ['a dotfile with an extension', '.config.json', `.config.sync-conflict-${STAMP}-${PEER8}.json`],
    ['only the last suffix is the extension', 'archive.tar.gz', `archive.tar.sync-conflict-${STAMP}-${PEER8}.gz`],
    ['a dot in a directory name is not an extension', 'v1.2/notes', `v1.2/notes.sync-conflict-${STAMP}-${PEER8}`]
  ]
  for (const [what, path, expected] of table) {
    test(`${what}: ${path}`, () => {
      assert.equal(conflictCopyPath(path, MTIME, PEER), expected)
    })
  }

  test('the stamp truncates to the second (no rounding up)', () => {
    assert.equal(conflictCopyPath('a.txt', MTIME + 999_999_999n, PEER), `a.sync-conflict-${STAMP}-${PEER8}.txt`)
  })

  test('the stamp is UTC with zero-padded fields', () => {
    // 2000-03-04T05:06:07Z: 10957 days to 2000 (30 years, 7 of them leap), + 31 (Jan) + 29 (Feb) + 3
    const s = (10957n + 31n + 29n + 3n) * 86400n + 5n * 3600n + 6n * 60n + 7n
    assert.equal(conflictCopyPath('a', s * 1_000_000_000n, PEER), `a.sync-conflict-20000304-050607-${PEER8}`)
  })

  test('the stamp does not depend on the local time zone', () => {
    const saved = process.env.TZ
    try {
      for (const tz of ['America/Los_Angeles', 'Asia/Kolkata', 'Pacific/Kiritimati']) {
        process.env.TZ = tz
        assert.equal(conflictCopyPath('r.txt', MTIME, PEER), `r.sync-conflict-${STAMP}-${PEER8}.txt`, tz)
      }
    } finally {
      if (saved == null) delete process.env.TZ
      else process.env.TZ = saved
    }
  })

  test('the epoch', () => {
    assert.equal(conflictCopyPath('a', 0n, PEER), `a.sync-conflict-19700101-000000-${PEER8}`)
  })

  test('an mtime before 1970', () => {
    // -1.5 s is 1969-12-31T23:59:58.5Z
    assert.equal(conflictCopyPath('a', -1_500_000_000n, PEER), `a.sync-conflict-19691231-235958-${PEER8}`)
  })

  test('an mtime less than a millisecond before 1970 is still 1969', () => {
    assert.equal(conflictCopyPath('a', -1n, PEER), `a.sync-conflict-19691231-235959-${PEER8}`)
  })

  test('peer8 is the last 8 characters of the peer ID', () => {
    assert.equal(conflictCopyPath('a', 0n, '12D3KooWAAAAAAAA12345678'), 'a.sync-conflict-19700101-000000-12345678')
  })

  test('the same loser gives the same name on every node', () => {
    assert.equal(conflictCopyPath('x/y.md', MTIME, PEER), conflictCopyPath('x/y.md', MTIME, `${PEER}`))
  })
})

describe('freeConflictCopyPath', () => {
  const FIRST = `report.sync-conflict-${STAMP}-${PEER8}.txt`
  const nth = (n: number): string => `report.sync-conflict-${STAMP}-${PEER8}-${n}.txt`
  const holding = (taken: Record<string, PathHolds>) => (p: string): PathHolds => taken[p] ?? 'nothing'

  const table: Array<[string, Record<string, PathHolds>, string | undefined]> = [
    ['a free name is used as is', {}, FIRST],
    ['a name holding this very content is reused (no second copy of it)', { [FIRST]: 'this content' }, FIRST],
    ['a name holding other content is not replaced: "-2" before the extension', { [FIRST]: 'other content' }, nth(2)],
    ['the first free number after a run of taken ones', { [FIRST]: 'other content', [nth(2)]: 'other content', [nth(3)]: 'other content' }, nth(4)],
    ['a taken first name and this content at "-2": "-2"', { [FIRST]: 'other content', [nth(2)]: 'this content' }, nth(2)]
  ]
  for (const [what, taken, expected] of table) {
    test(what, () => {
      assert.equal(freeConflictCopyPath('report.txt', MTIME, PEER, holding(taken)), expected)
    })
  }

  test('a name without an extension gets its number at the end', () => {
    assert.equal(freeConflictCopyPath('Makefile', MTIME, PEER, p => p.endsWith(PEER8) ? 'other content' : 'nothing'), `Makefile.sync-conflict-${STAMP}-${PEER8}-2`)
  })

  test('when every name is taken there is none, after a bounded search', () => {
    let asked = 0
    assert.equal(freeConflictCopyPath('report.txt', MTIME, PEER, () => { asked++; return 'other content' }), undefined)
    assert.equal(asked, MAX_COPY_NUMBER)
  })

  test('property: the name returned never holds other content, and every lower number does', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 40 }), { maxLength: 40 }), (takenNumbers) => {
      const taken = new Set(takenNumbers.map(n => n === 1 ? FIRST : nth(n)))
      const got = freeConflictCopyPath('report.txt', MTIME, PEER, p => taken.has(p) ? 'other content' : 'nothing')
      assert.ok(got != null && !taken.has(got))
      const n = got === FIRST ? 1 : Number(/-(\d+)\.txt$/.exec(got)![1])
      for (let k = 1; k < n; k++) assert.ok(taken.has(k === 1 ? FIRST : nth(k)), `number ${k} was free but skipped`)
    }))
  })
})
