// Comparing the tree with the index one directory at a time: the index's children of a directory
// (an indexed lookup on the parent, whatever the names sort like), and a walk that reports exactly
// the paths that differ, reading no file.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { mkdtemp, mkdir, rm, writeFile, symlink, unlink, utimes } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { rmSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { IndexStore } from '../../src/index/index-store.ts'
import { ChunkList } from '../../src/chunk/chunk-list.ts'
import { localStatSync } from '../../src/fs/local-stat.ts'
import { compareTree } from '../../src/client/tree-compare.ts'
import { TEMP_PREFIX } from '../../src/fs/safe-path.ts'
import type { Entry, EntryKind } from '../../src/index/entry.ts'

function entry (path: string, kind: EntryKind, deleted = false): Entry {
  return { path, kind, size: 0, mtimeNs: 0n, exec: false, deleted, hash: new Uint8Array(0), chunks: ChunkList.EMPTY, target: '' }
}

async function withIndex (fn: (index: IndexStore, dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'distsync-tree-compare-'))
  const index = new IndexStore(join(dir, 'index.db'))
  try {
    await fn(index, dir)
  } finally {
    index.close()
    await rm(dir, { recursive: true, force: true })
  }
}

describe('IndexStore.children', () => {
  test('property: exactly the direct children, by name, for any directory', async () => {
    // names that sort between a directory and its children ('-', '.', '0' around '/'), and non-ASCII
    const name = fc.stringMatching(/^[a\-.0é]{1,3}$/)
    const paths = fc.uniqueArray(fc.array(name, { minLength: 1, maxLength: 4 }).map(p => p.join('/')), { maxLength: 30 })
    await withIndex(async index => {
      await fc.assert(fc.asyncProperty(paths, async ps => {
        const all = new Set(ps)
        for (const p of ps) index.put({ entry: entry(p, 'file'), seq: 1, stat: { size: 1, mtimeNs: 2n, ino: 3n } })
        const dirs = new Set([''])
        for (const p of ps) { const parts = p.split('/'); for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/')) }
        for (const d of dirs) {
          const expected = [...all].filter(p => (d === '' ? !p.includes('/') : p.startsWith(d + '/') && !p.slice(d.length + 1).includes('/'))).map(p => d === '' ? p : p.slice(d.length + 1)).sort()
          // earlier runs' paths are tombstones now: only this run's live ones count
          const got = [...index.children(d)].filter(([, r]) => !r.entry.deleted).map(([n]) => n).sort()
          assert.deepEqual(got, expected, `children of ${JSON.stringify(d)}`)
        }
        // mark them deleted so the next run's set is the only live one
        for (const p of ps) index.put({ entry: entry(p, 'file', true), seq: 2, stat: null })
      }), { numRuns: 60 })
    })
  })

  test('carries the stat and the flags change detection reads', async () => {
    await withIndex(async index => {
      index.put({ entry: { ...entry('d/x', 'file'), exec: true }, seq: 7, stat: { size: 5, mtimeNs: 123456789012345678n, ino: 42n } })
      index.put({ entry: { ...entry('d/l', 'symlink'), target: '../t' }, seq: 8, stat: null })
      const got = index.children('d')
      assert.deepEqual(got.get('x'), { entry: { kind: 'file', exec: true, deleted: false, target: '' }, stat: { size: 5, mtimeNs: 123456789012345678n, ino: 42n } })
      assert.deepEqual(got.get('l'), { entry: { kind: 'symlink', exec: false, deleted: false, target: '../t' }, stat: null })
    })
  })
})

describe('compareTree', () => {
  test('reports only what differs from the index: new, changed, gone, replaced; leftover temp files apart', async () => {
    await withIndex(async (index, base) => {
      const root = join(base, 'root')
      await mkdir(join(root, 'a/b'), { recursive: true })
      await mkdir(join(root, 'gone/deep'), { recursive: true })
      await mkdir(join(root, '.distsync'))
      const files = ['top.txt', 'a/one', 'a/b/two', 'a/b/same', 'gone/deep/x', 'becomes-dir', 'a/touched']
      for (const f of files) await writeFile(join(root, f), f)
      await symlink('a/one', join(root, 'link'))
      // the index as a sync leaves it
      const record = (path: string): void => {
        const st = localStatSync(join(root, path))!
        index.put({ entry: { ...entry(path, st.kind as EntryKind), target: st.target }, seq: 1, stat: st.kind === 'file' ? st : null })
      }
      for (const p of ['a', 'a/b', 'gone', 'gone/deep', 'link', ...files]) record(p)
      index.put({ entry: entry('long-deleted', 'file', true), seq: 2, stat: null })

      const run = async (): Promise<{ changed: string[], temps: string[], entered: string[] }> => {
        const changed: string[] = []
        const temps: string[] = []
        const entered: string[] = []
        await compareTree({ root, index, signal: AbortSignal.timeout(20000), changed: p => changed.push(p), onTemp: p => temps.push(p), entering: d => entered.push(d) })
        return { changed: changed.sort(), temps, entered: entered.sort() }
      }
      const clean = await run()
      assert.deepEqual(clean.changed, [], 'an unchanged tree reports nothing')
      assert.deepEqual(clean.entered, ['', 'a', 'a/b', 'gone', 'gone/deep'], 'every directory is entered before it is read')

      await writeFile(join(root, 'a/one'), 'longer content')
      await writeFile(join(root, 'a/b/new'), 'n')
      await rm(join(root, 'gone'), { recursive: true })
      await unlink(join(root, 'becomes-dir'))
      await mkdir(join(root, 'becomes-dir'))
      await utimes(join(root, 'a/touched'), new Date(1000), new Date(1000))
      await unlink(join(root, 'link'))
      await symlink('a/b/two', join(root, 'link'))
      await writeFile(join(root, 'a', `${TEMP_PREFIX}123`), 'partial')
      const after = await run()
      assert.deepEqual(after.changed, ['a/b/new', 'a/one', 'a/touched', 'becomes-dir', 'gone', 'link'])
      assert.deepEqual(after.temps, [`a/${TEMP_PREFIX}123`])
    })
  })

  test('descend limits the walk; it waits on its consumer\'s backlog; an abort stops it', async () => {
    await withIndex(async (index, base) => {
      const root = join(base, 'root')
      await mkdir(join(root, 'x/y'), { recursive: true })
      await writeFile(join(root, 'x/y/f'), 'f')
      const changed: string[] = []
      let waits = 0
      // the walk waits on its consumer between directories once it has reported something
      const backlog = async (): Promise<void> => { waits++; assert.ok(changed.length > 0) }
      await compareTree({ root, index, signal: AbortSignal.timeout(20000), changed: p => changed.push(p), descend: d => d !== 'x/y', backlog })
      assert.deepEqual(changed.sort(), ['x', 'x/y'])
      assert.equal(waits, 2)
      const ac = new AbortController()
      ac.abort()
      await assert.rejects(compareTree({ root, index, signal: ac.signal, changed: () => {} }), { name: 'AbortError' })
    })
  })

  test('a directory swapped for a symlink after its parent was read is reported, not followed', async () => {
    await withIndex(async (index, base) => {
      const root = join(base, 'root')
      const outside = join(base, 'outside')
      await mkdir(join(root, 'd'), { recursive: true })
      await mkdir(outside)
      await writeFile(join(outside, 'secret'), 'not in the folder')
      index.put({ entry: entry('d', 'dir'), seq: 1, stat: null })
      const changed: string[] = []
      // the walk checks each directory once, right before reading it: swapped after the root's readdir
      const entering = (dir: string): void => {
        if (dir !== 'd') return
        rmSync(join(root, 'd'), { recursive: true })
        symlinkSync(outside, join(root, 'd'))
      }
      await compareTree({ root, index, signal: AbortSignal.timeout(20000), changed: p => changed.push(p), entering })
      assert.deepEqual(changed.sort(), ['d'])
    })
  })
})
