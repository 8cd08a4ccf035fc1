// The hub's chunk store: whatever goes in comes back byte for byte, also after a restart, with
// many puts in flight at once (appends to a pack are reserved and written in batches).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { DatabaseSync } from 'node:sqlite'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHash, randomBytes } from 'node:crypto'
import { ChunkStore } from '../../src/store/chunk-store.ts'
import { hex } from '../../src/index/entry.ts'

const sha = (b: Uint8Array): Uint8Array => createHash('sha256').update(b).digest()

test('chunks put concurrently come back identical, before and after reopening the store', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'distsync-cs-'))
  try {
    // sizes on both sides of the inline limit (32 KiB), some chunks put twice at once
    const blocks = Array.from({ length: 300 }, (_, i) => ({ data: randomBytes([100, 32 * 1024, 32 * 1024 + 1, 200_000][i % 4]!), zstd: i % 3 === 0 }))
    const first = new ChunkStore(join(dir, 'chunks'))
    await first.init()
    await Promise.all([...blocks, ...blocks.slice(0, 50)].map(async b => { await first.put(sha(b.data), b) }))
    for (const b of blocks) {
      const got = await first.get(sha(b.data))
      assert.ok(got != null)
      assert.deepEqual([Buffer.from(got.data), got.zstd], [Buffer.from(b.data), b.zstd])
    }
    first.close()

    const again = new ChunkStore(join(dir, 'chunks'))
    await again.init()
    const more = Array.from({ length: 40 }, () => ({ data: randomBytes(100_000), zstd: false }))
    await Promise.all(more.map(async b => { await again.put(sha(b.data), b) }))
    for (const b of [...blocks, ...more]) {
      const got = await again.get(sha(b.data))
      assert.ok(got != null)
      assert.deepEqual(Buffer.from(got.data), Buffer.from(b.data))
    }
    assert.equal(await again.get(sha(randomBytes(10))), null)
    again.close()
  } finally {
    await rm(dir, { recursive: true })
  }
})

test('a store written by an earlier version (chunks keyed by hash, before and after packs) keeps every chunk', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'distsync-cs-'))
  try {
    const small = { data: randomBytes(500), zstd: true }
    const large = randomBytes(40_000)
    const filed = randomBytes(50_000)
    for (const [name, withPacks] of [['packs', true], ['files', false]] as const) {
      const root = join(dir, name)
      const db = new DatabaseSync(`${root}.db`)
      db.exec('CREATE TABLE chunks (hash BLOB PRIMARY KEY, zstd INTEGER NOT NULL, size INTEGER NOT NULL, data BLOB) WITHOUT ROWID')
      db.prepare('INSERT INTO chunks (hash, zstd, size, data) VALUES (?, 1, ?, ?)').run(sha(small.data), small.data.byteLength, small.data)
      // the oldest stores kept a large chunk in a file of its own
      await mkdir(join(root, hex(sha(filed)).slice(0, 2)), { recursive: true })
      await writeFile(join(root, hex(sha(filed)).slice(0, 2), hex(sha(filed))), filed)
      db.prepare('INSERT INTO chunks (hash, zstd, size, data) VALUES (?, 0, ?, NULL)').run(sha(filed), filed.byteLength)
      if (withPacks) {
        db.exec('ALTER TABLE chunks ADD COLUMN pack INTEGER; ALTER TABLE chunks ADD COLUMN offset INTEGER')
        await writeFile(join(root, 'pack-000003'), Buffer.concat([randomBytes(7), large]))
        db.prepare('INSERT INTO chunks (hash, zstd, size, data, pack, offset) VALUES (?, 0, ?, NULL, 3, 7)').run(sha(large), large.byteLength)
      }
      db.close()

      const store = new ChunkStore(root)
      await store.init()
      const got = async (h: Uint8Array): Promise<[Buffer, boolean] | null> => await store.get(h).then(b => b == null ? null : [Buffer.from(b.data), b.zstd])
      assert.deepEqual(await got(sha(small.data)), [Buffer.from(small.data), true], name)
      assert.deepEqual(await got(sha(filed)), [filed, false], name)
      if (withPacks) {
        assert.deepEqual(await got(sha(large)), [large, false], name)
        // new appends go after the old pack's bytes, not over them
        const next = randomBytes(60_000)
        await store.put(sha(next), { data: next, zstd: false })
        assert.deepEqual(await got(sha(next)), [next, false])
        assert.deepEqual(await got(sha(large)), [large, false])
      }
      store.close()
    }
  } finally {
    await rm(dir, { recursive: true })
  }
})

test('sync() makes the rows durable in the WAL and leaves copying them into the database to SQLite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'distsync-cs-'))
  try {
    const store = new ChunkStore(join(dir, 'chunks'))
    await store.init()
    await store.sync() // nothing stored yet
    const blocks = Array.from({ length: 20 }, (_, i) => ({ data: randomBytes(i % 2 === 0 ? 1000 : 100_000), zstd: false }))
    await Promise.all(blocks.map(async b => { await store.put(sha(b.data), b) }))
    await store.sync()
    const rowsIn = async (files: string[]): Promise<number> => {
      const copy = await mkdtemp(join(dir, 'copy-'))
      for (const f of files) await copyFile(join(dir, f), join(copy, f.replace('chunks', 'c')))
      const db = new DatabaseSync(join(copy, 'c.db'))
      try {
        const table = db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'stored'").get()
        return table == null ? 0 : (db.prepare('SELECT COUNT(*) AS n FROM stored').get() as { n: number }).n
      } finally {
        db.close()
      }
    }
    // a checkpoint on the event loop (wal_checkpoint(FULL)) held the hub ~140 ms per copy
    assert.equal(await rowsIn(['chunks.db']), 0, 'the database file alone has no rows yet: no checkpoint ran')
    assert.equal(await rowsIn(['chunks.db', 'chunks.db-wal']), blocks.length)
    store.close()
  } finally {
    await rm(dir, { recursive: true })
  }
})
