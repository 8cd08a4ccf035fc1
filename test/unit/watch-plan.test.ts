// Planning the watcher's pieces: every directory watched exactly once, no piece bigger than the
// limit unless one directory alone is, and nothing left out.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { planWatchRoots } from '../../src/client/watch-plan.ts'
import type { DirListing } from '../../src/fs/list-dirs.ts'

/** A tree from `dir -> files in it` plus the directories named (parents made as needed). */
function treeOf (files: Record<string, number>): Map<string, DirListing> {
  const dirs = new Set([''])
  for (const d of Object.keys(files)) for (let p = d; p !== ''; p = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '') dirs.add(p)
  const tree = new Map<string, DirListing>()
  for (const d of dirs) {
    const subdirs = [...dirs].filter(s => s !== '' && (d === '' ? !s.includes('/') : s.startsWith(d + '/') && !s.slice(d.length + 1).includes('/')))
    tree.set(d, { entries: (files[d] ?? 0) + subdirs.length, subdirs })
  }
  return tree
}

test('a tree within the limit is one piece: the root with everything below it', () => {
  const plan = planWatchRoots(treeOf({ '': 3, a: 5, 'a/b': 10 }), 100)
  assert.deepEqual(plan, [[{ dir: '', recursive: true, size: 20 }]])
})

test('past the limit, a directory is watched alone and its subdirectories become pieces', () => {
  const plan = planWatchRoots(treeOf({ '': 1, a: 40, b: 40, c: 40, 'c/x': 100 }), 100)
  const roots = plan.flat()
  assert.deepEqual(roots.filter(r => !r.recursive).map(r => r.dir).sort(), ['', 'c'])
  assert.deepEqual(roots.filter(r => r.recursive).map(r => r.dir).sort(), ['a', 'b', 'c/x'])
  // a (41) and b (41) fit one piece; c/x (100) is one alone
  assert.deepEqual(plan.filter(b => b[0]!.recursive).map(b => b.map(r => r.dir).sort().join(' ')).sort(), ['a b', 'c/x'])
})

test('the folder alone: watched without its subtree even when small, so a tree moved into it is taken in pieces', () => {
  assert.deepEqual(planWatchRoots(treeOf({ '': 3, a: 5 }), 100, '', true), [[{ dir: 'a', recursive: true, size: 5 }], [{ dir: '', recursive: false, size: 4 }]])
  assert.deepEqual(planWatchRoots(treeOf({ '': 0 }), 100, '', true), [[{ dir: '', recursive: false, size: 0 }]])
})

test('property: every directory is under exactly one root; pieces within the limit; every entry counted once', () => {
  const dirName = fc.constantFrom('a', 'b', 'c', 'd')
  const files = fc.dictionary(fc.array(dirName, { maxLength: 4 }).map(p => p.join('/')), fc.nat({ max: 60 }), { maxKeys: 25 })
  fc.assert(fc.property(files, fc.integer({ min: 1, max: 150 }), fc.boolean(), (f, limit, alone) => {
    const tree = treeOf(f)
    const plan = planWatchRoots(tree, limit, '', alone)
    const roots = plan.flat()
    const coveredBy = (dir: string): string[] => roots.filter(r => r.dir === dir || (r.recursive && (r.dir === '' || dir.startsWith(r.dir + '/')))).map(r => r.dir)
    for (const dir of tree.keys()) assert.equal(coveredBy(dir).length, 1, `${JSON.stringify(dir)} covered by ${JSON.stringify(coveredBy(dir))}`)
    for (const batch of plan) {
      assert.ok(batch.every(r => r.recursive === batch[0]!.recursive), 'a piece is of one kind')
      const size = batch.reduce((n, r) => n + r.size, 0)
      assert.ok(size <= limit || batch.length === 1, `piece of ${size} entries past ${limit}`)
    }
    if (alone) assert.ok(roots.some(r => r.dir === '' && !r.recursive), 'the folder alone')
    const total = [...tree.values()].reduce((n, l) => n + l.entries, 0)
    assert.equal(roots.reduce((n, r) => n + r.size, 0), total)
  }), { numRuns: 300 })
})
