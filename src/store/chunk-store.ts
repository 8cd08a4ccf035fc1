// The hub's content-addressed chunk store. Each distinct chunk is kept once, in the form it
// travels in (zstd or raw), so relaying to fifty clients compresses nothing fifty times.
// An SQLite table says which chunks exist; small chunks live in it as BLOBs (thousands of small
// files would otherwise cost a file create, write and rename each), large ones in files.
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { openDatabase } from '../index/open-db.ts'
import { hex } from '../index/entry.ts'
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import type { StoredBlock } from '../net/block-codec.ts'

/** Up to this many stored bytes a chunk is a row, above it a file. */
const INLINE_MAX = 32 * 1024

export class ChunkStore {
  readonly #root: string
  readonly #db: DatabaseSync
  readonly #has: StatementSync
  readonly #get: StatementSync
  readonly #put: StatementSync
  readonly #dirs = new Set<string>()

  constructor (root: string) {
    this.#root = root
    this.#db = openDatabase(`${root}.db`)
    this.#db.exec('CREATE TABLE IF NOT EXISTS chunks (hash BLOB PRIMARY KEY, zstd INTEGER NOT NULL, size INTEGER NOT NULL, data BLOB) WITHOUT ROWID')
    this.#has = this.#db.prepare('SELECT 1 FROM chunks WHERE hash = ?')
    this.#get = this.#db.prepare('SELECT zstd, data FROM chunks WHERE hash = ?')
    this.#put = this.#db.prepare('INSERT OR IGNORE INTO chunks (hash, zstd, size, data) VALUES (?, ?, ?, ?)')
  }

  async init (): Promise<void> {
    await mkdir(this.#root, { recursive: true })
  }

  has (hash: Uint8Array): boolean {
    return this.#has.get(hash) != null
  }

  async get (hash: Uint8Array): Promise<StoredBlock | null> {
    const row = this.#get.get(hash) as { zstd: number, data: Uint8Array | null } | undefined
    if (row == null) return null
    const zstd = row.zstd === 1
    if (row.data != null) return { data: row.data, zstd }
    try {
      return { data: await readFile(this.#file(hex(hash))), zstd }
    } catch {
      return null
    }
  }

  /**
   * Stores a verified chunk. A file chunk is recorded only after its file is written, so a killed
   * hub may leave a partial file but never a row pointing at one (the next put rewrites it).
   * No fsync per chunk (it cost more than the transfer); receivers verify every chunk they get.
   */
  async put (hash: Uint8Array, block: StoredBlock): Promise<void> {
    if (this.has(hash)) return
    if (block.data.byteLength <= INLINE_MAX) {
      this.#put.run(hash, block.zstd ? 1 : 0, block.data.byteLength, block.data)
      return
    }
    const h = hex(hash)
    const dir = join(this.#root, h.slice(0, 2))
    if (!this.#dirs.has(dir)) {
      await mkdir(dir, { recursive: true })
      this.#dirs.add(dir)
    }
    await writeFile(this.#file(h), block.data)
    this.#put.run(hash, block.zstd ? 1 : 0, block.data.byteLength, null)
  }

  #file (h: string): string {
    return join(this.#root, h.slice(0, 2), h)
  }

  close (): void { this.#db.close() }
}
