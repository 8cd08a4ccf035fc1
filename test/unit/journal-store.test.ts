// The journal's "everything after seq N": served from memory for records this process committed,
// from SQLite otherwise. Both must give the same pages; the reopened store (empty memory) is the
// reference.
import { test } from 'node:test'
import { ChunkList } from '../../src/chunk/chunk-list.ts'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { JournalStore, type JournalRecord } from '../../src/index/journal-store.ts'
import type { Entry } from '../../src/index/entry.ts'

function entry (path: string, version: number, chunks: number): Entry {
  return {
    path,
    kind: 'file',
    size: chunks,
    mtimeNs: BigInt(version),
    exec: false,
    deleted: false,
    hash: new Uint8Array(32).fill(version % 256),
    chunks: ChunkList.of(Array.from({ length: chunks }, (_, i) => ({ hash: new Uint8Array(32).fill(i % 256), size: 1 }))),
    target: ''
  }
}

const plain = (page: JournalRecord[]): Array<[number, string, string]> => page.map(r => [r.seq, r.entry.path, String(r.entry.mtimeNs)])

async function withStores (fn: (file: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'distsync-journal-'))
  try {
    await fn(join(dir, 'journal.db'))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

test('property: every page from memory equals the page SQLite gives', async () => {
  const commits = fc.array(fc.array(fc.record({ path: fc.constantFrom('a', 'b', 'c/d', 'e', 'f'), chunks: fc.integer({ min: 0, max: 3 }) }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 40 })
  await fc.assert(fc.asyncProperty(commits, fc.integer({ min: 1, max: 8 }), async (batches, limit) => {
    await withStores(async file => {
      const live = new JournalStore(file)
      // records committed before this process started are only in SQLite
      live.commit([{ entry: entry('a', 0, 1), origin: 'p' }])
      live.close()
      const journal = new JournalStore(file)
      let version = 1
      for (const batch of batches) journal.commit(batch.map(r => ({ entry: entry(r.path, version++, r.chunks), origin: 'p' })))
      await journal.durable()
      const reference = new JournalStore(file)
      try {
        for (let seq = 0; seq <= journal.headSeq; seq++) {
          assert.deepEqual(plain(journal.since(seq, limit)), plain(reference.since(seq, limit)), `after seq ${seq}, ${limit} per page`)
        }
      } finally {
        reference.close()
        journal.close()
      }
    })
  }), { numRuns: 60 })
})

test('pages stay right once the memory has dropped its oldest records', async () => {
  await withStores(async file => {
    const journal = new JournalStore(file)
    // 3000 records of 40 chunks: far past what the memory keeps
    for (let i = 0; i < 3000; i++) journal.commit([{ entry: entry(`p${i % 700}`, i, 40), origin: 'p' }])
    await journal.durable()
    const reference = new JournalStore(file)
    try {
      for (const seq of [0, 1, 1000, 2000, 2299, 2300, 2900, 2999, 3000]) {
        assert.deepEqual(plain(journal.since(seq, 256)), plain(reference.since(seq, 256)), `after seq ${seq}`)
      }
    } finally {
      reference.close()
      journal.close()
    }
  })
})

test('a record is shown to no one before it is on disk, and get() decides on it at once', async () => {
  await withStores(async file => {
    const journal = new JournalStore(file)
    try {
      journal.commit([{ entry: entry('a', 1, 1), origin: 'p' }])
      await journal.durable()
      const [b] = journal.commit([{ entry: entry('b', 2, 1), origin: 'p' }])
      // superseded by a record not yet on disk: a page after 0 holds neither of them
      journal.commit([{ entry: entry('a', 3, 1), origin: 'p' }])
      assert.equal(b!.seq, 2)
      assert.equal(journal.get('a')?.seq, 3)
      assert.equal(journal.headSeq, 1)
      assert.deepEqual(plain(journal.since(0, 10)), [])
      const onDisk = new JournalStore(file)
      assert.equal(onDisk.headSeq, 1)
      onDisk.close()
      await journal.durable()
      assert.equal(journal.headSeq, 3)
      assert.deepEqual(plain(journal.since(0, 10)), [[2, 'b', '2'], [3, 'a', '3']])
    } finally {
      journal.close()
    }
  })
})

test('a journal knows every chunk any of its versions used, also one written before it kept that list', async () => {
  await withStores(async file => {
    const j = new JournalStore(file)
    j.commit([{ entry: entry('a', 1, 2), origin: 'p' }])
    j.commit([{ entry: entry('a', 2, 1), origin: 'p' }])
    await j.durable()
    const chunk = (i: number): Uint8Array => new Uint8Array(32).fill(i)
    assert.equal(j.hasChunk(chunk(1)), true, 'a chunk of a replaced version')
    assert.equal(j.hasChunk(chunk(0)), true)
    assert.equal(j.hasChunk(chunk(7)), false)
    j.close()
    // as a hub from before chunk_refs left it
    const { DatabaseSync } = await import('node:sqlite')
    const db = new DatabaseSync(file)
    db.exec("DROP TABLE chunk_refs; DELETE FROM meta WHERE key = 'chunk_refs'")
    db.close()
    const reopened = new JournalStore(file)
    assert.equal(reopened.hasChunk(chunk(0)), true, 'the live version\'s chunks are found again')
    assert.equal(reopened.hasChunk(chunk(7)), false)
    reopened.close()
  })
})

test('liveBelow: a live entry strictly below the directory, not beside it', async () => {
  await withStores(async file => {
    const j = new JournalStore(file)
    j.commit([{ entry: entry('x', 1, 0), origin: 'p' }, { entry: entry('x.txt', 1, 0), origin: 'p' }, { entry: entry('x0', 1, 0), origin: 'p' }, { entry: { ...entry('y/a', 1, 0), deleted: true }, origin: 'p' }, { entry: entry('z/a/b', 1, 0), origin: 'p' }])
    assert.equal(j.liveBelow('x'), false)
    assert.equal(j.liveBelow('y'), false)
    assert.equal(j.liveBelow('z'), true)
    assert.equal(j.liveBelow('z/a'), true)
    assert.equal(j.liveBelow('z/a/b'), false)
    await j.durable()
    j.close()
  })
})
