// The hub's content-addressed chunk store. Each distinct chunk is kept once, in the form it
// travels in (zstd or raw), so relaying to fifty clients compresses nothing fifty times.
// An SQLite table says which chunks exist and where: small chunks live in it as BLOBs, larger
// ones are appended to pack files. A file per chunk cost an open, write and close to store and
// an open, stat, read and close to serve: the hub spent a third of a 256 MiB transfer in them.
import { closeSync, constants, openSync, readSync } from 'node:fs'
import { mkdir, open, readFile, stat, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { openDatabase, transaction } from '../index/open-db.ts'
import { restFrom } from '../fs/write-all.ts'
import { hex } from '../index/entry.ts'
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import type { StoredBlock } from '../net/block-codec.ts'

/** Up to this many stored bytes a chunk is a row, above it goes in a pack. */
const INLINE_MAX = 32 * 1024
/** A pack is closed for appends at this size and the next one started. */
const PACK_MAX = 1024 * 1024 * 1024
/** Buffers per writev (IOV_MAX is 1024). */
const WRITEV_MAX = 256

interface Row { zstd: number, data: Uint8Array | null, pack: number | null, offset: number | null, size: number }

export class ChunkStore {
  readonly #root: string
  readonly #db: DatabaseSync
  readonly #has: StatementSync
  readonly #get: StatementSync
  readonly #put: StatementSync
  /** chunks being written: a second put of one waits for the first, so has() never runs ahead of get() */
  readonly #writing = new Map<string, Promise<void>>()
  readonly #readers = new Map<number, number>()
  #pack = 0
  #packEnd = 0
  #appender: { pack: number, fh: FileHandle } | undefined
  /** packs written since the last sync() */
  readonly #dirtyPacks = new Set<number>()
  /** rows to write; `at`: where a large chunk's bytes go in a pack (small ones are in the row) */
  readonly #queued: Array<{ hash: Uint8Array, zstd: number, data: Uint8Array, at: { pack: number, offset: number } | null, done: PromiseWithResolvers<void> }> = []
  #flushing: Promise<void> | undefined

  constructor (root: string) {
    this.#root = root
    this.#db = openDatabase(`${root}.db`)
    // Rows in arrival order (rowid), found by a separate hash index: keyed by hash itself, each
    // chunk landed in a random page of a table holding all the data, and 3000 small files cost
    // the hub 169,000 page reads.
    this.#db.exec('CREATE TABLE IF NOT EXISTS stored (id INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE, zstd INTEGER NOT NULL, size INTEGER NOT NULL, data BLOB, pack INTEGER, offset INTEGER)')
    migrateKeyedByHash(this.#db)
    this.#has = this.#db.prepare('SELECT 1 FROM stored WHERE hash = ?')
    this.#get = this.#db.prepare('SELECT zstd, data, pack, offset, size FROM stored WHERE hash = ?')
    this.#put = this.#db.prepare('INSERT OR IGNORE INTO stored (hash, zstd, size, data, pack, offset) VALUES (?, ?, ?, ?, ?, ?)')
  }

  async init (): Promise<void> {
    await mkdir(this.#root, { recursive: true })
    const last = this.#db.prepare('SELECT MAX(pack) AS pack FROM stored').get() as { pack: number | null }
    this.#pack = last.pack ?? 0
    // bytes a killed hub wrote past the last row are never read: append after them
    this.#packEnd = await stat(this.#packFile(this.#pack)).then(st => st.size, () => 0)
  }

  has (hash: Uint8Array): boolean {
    return this.#has.get(hash) != null
  }

  async get (hash: Uint8Array): Promise<StoredBlock | null> {
    const row = this.#get.get(hash) as Row | undefined
    if (row == null) return null
    const zstd = row.zstd === 1
    if (row.data != null) return { data: row.data, zstd }
    try {
      if (row.pack == null) return { data: await readFile(this.#legacyFile(hex(hash))), zstd }
      // synchronous: a chunk read from the page cache took 8 µs, the same read on the pool ~50 µs
      // of CPU, and the hub serves thousands of them
      const data = Buffer.allocUnsafe(row.size)
      const bytesRead = readSync(this.#reader(row.pack), data, 0, row.size, row.offset)
      return bytesRead === row.size ? { data, zstd } : null
    } catch {
      return null
    }
  }

  /**
   * Stores a verified chunk. Its row is written only after its bytes, so a killed hub may leave
   * bytes in a pack that no row points at (never read, appended after), never a row pointing at
   * missing bytes. No fsync per chunk (it cost more than the transfer); receivers verify every
   * chunk they get. Resolves once the row is committed: get() finds the chunk from then on.
   */
  async put (hash: Uint8Array, block: StoredBlock): Promise<void> {
    const key = hex(hash)
    const inFlight = this.#writing.get(key)
    if (inFlight != null) return await inFlight
    if (this.has(hash)) return
    const write = this.#enqueue(hash, block.zstd ? 1 : 0, block.data).finally(() => this.#writing.delete(key))
    this.#writing.set(key, write)
    await write
  }

  /**
   * Queues a chunk's row, and for a large chunk reserves the next bytes of a pack synchronously
   * (so concurrent puts never overlap, and a full pack hands over to the next one in one place).
   */
  async #enqueue (hash: Uint8Array, zstd: number, data: Uint8Array): Promise<void> {
    let at: { pack: number, offset: number } | null = null
    if (data.byteLength > INLINE_MAX) {
      if (this.#packEnd > 0 && this.#packEnd + data.byteLength > PACK_MAX) {
        this.#pack++
        this.#packEnd = 0
      }
      at = { pack: this.#pack, offset: this.#packEnd }
      this.#packEnd += data.byteLength
    }
    const done = Promise.withResolvers<void>()
    this.#queued.push({ hash, zstd, data, at, done })
    this.#flushing ??= this.#flush()
    await done.promise
  }

  /**
   * Writes what was queued in batches: the packed bytes of a batch in one writev while the next
   * batch queues (a write per 64 KiB chunk kept the hub waiting on the threadpool), then all its
   * rows in one commit (a commit per small chunk was a WAL write each, a fifth of the hub's CPU
   * in a bulk sync of small files).
   */
  async #flush (): Promise<void> {
    // the rest of this turn's puts join the first batch
    await new Promise(resolve => setImmediate(resolve))
    while (this.#queued.length > 0) {
      // reservations are contiguous within a pack, so the packed chunks of a batch of one pack
      // are one run of bytes
      const pack = this.#queued.find(q => q.at != null)?.at?.pack
      let n = 0
      while (n < this.#queued.length && n < WRITEV_MAX && (this.#queued[n]!.at?.pack ?? pack) === pack) n++
      const batch = this.#queued.splice(0, n)
      try {
        const packed = batch.filter(q => q.at != null)
        if (packed.length > 0) {
          const fh = await this.#appenderFor(pack!)
          this.#dirtyPacks.add(pack!)
          const data = packed.map(q => q.data)
          const total = data.reduce((sum, d) => sum + d.byteLength, 0)
          let written = 0
          while (written < total) {
            written += (await fh.writev(restFrom(data, written), packed[0]!.at!.offset + written)).bytesWritten
          }
        }
        transaction(this.#db, () => {
          for (const q of batch) {
            if (q.at == null) this.#put.run(q.hash, q.zstd, q.data.byteLength, q.data, null, null)
            else this.#put.run(q.hash, q.zstd, q.data.byteLength, null, q.at.pack, q.at.offset)
          }
        })
        for (const q of batch) q.done.resolve()
      } catch (err) {
        for (const q of batch) q.done.reject(err)
      }
    }
    this.#flushing = undefined
  }

  /**
   * Makes every chunk stored so far durable: pack bytes flushed, then the rows. Called before the
   * journal says the hub holds an entry. The rows are committed in the WAL, so syncing the WAL
   * file (from the threadpool) makes them durable; a checkpoint that SQLite runs later syncs the
   * WAL before it copies it and the database before it reuses it. A `wal_checkpoint(FULL)` here
   * did the same on the event loop: the hub stopped for ~140 ms at the end of every copy.
   */
  async sync (): Promise<void> {
    await this.#flushing
    for (const pack of [...this.#dirtyPacks]) {
      this.#dirtyPacks.delete(pack)
      const fh = this.#appender?.pack === pack ? this.#appender.fh : await open(this.#packFile(pack), 'r')
      try {
        await fh.datasync()
      } finally {
        if (fh !== this.#appender?.fh) await fh.close()
      }
    }
    await syncIfThere(`${this.#root}.db-wal`)
  }

  async #appenderFor (pack: number): Promise<FileHandle> {
    if (this.#appender?.pack !== pack) {
      await this.#appender?.fh.close()
      this.#appender = undefined
      // not O_APPEND: Linux ignores the position of a write to an O_APPEND file, and appends
      // must land where they were reserved
      this.#appender = { pack, fh: await open(this.#packFile(pack), constants.O_WRONLY | constants.O_CREAT, 0o600) }
    }
    return this.#appender.fh
  }

  #reader (pack: number): number {
    let fd = this.#readers.get(pack)
    if (fd == null) {
      fd = openSync(this.#packFile(pack), 'r')
      this.#readers.set(pack, fd)
    }
    return fd
  }

  #packFile (pack: number): string {
    return join(this.#root, `pack-${String(pack).padStart(6, '0')}`)
  }

  #legacyFile (h: string): string {
    return join(this.#root, h.slice(0, 2), h)
  }

  close (): void {
    this.#db.close()
    void this.#appender?.fh.close().catch(() => {})
    for (const fd of this.#readers.values()) closeSync(fd)
    this.#readers.clear()
  }
}

/** Moves the rows of a store written by an earlier version (table `chunks`, keyed by hash) over. */
function migrateKeyedByHash (db: DatabaseSync): void {
  const old = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'chunks'").get()
  if (old == null) return
  const columns = new Set((db.prepare('PRAGMA table_info(chunks)').all() as Array<{ name: string }>).map(c => c.name))
  // before packs existed, large chunks were a file each: pack and offset NULL, as those rows still read
  const packed = columns.has('pack') ? 'pack, offset' : 'NULL, NULL'
  transaction(db, () => {
    db.exec(`INSERT OR IGNORE INTO stored (hash, zstd, size, data, pack, offset) SELECT hash, zstd, size, data, ${packed} FROM chunks; DROP TABLE chunks`)
  })
}

/** fdatasync of a file that may not exist (no WAL: every row is in the synced database). */
async function syncIfThere (path: string): Promise<void> {
  let fh: FileHandle
  try {
    fh = await open(path, 'r')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw err
  }
  try {
    await fh.datasync()
  } finally {
    await fh.close()
  }
}
