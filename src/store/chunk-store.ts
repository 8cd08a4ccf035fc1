// The hub's content-addressed chunk store: one file per distinct chunk, kept in the form it
// travels in (zstd or raw), so relaying to fifty clients compresses nothing fifty times.
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { hex } from '../index/entry.ts'
import type { StoredBlock } from '../net/block-codec.ts'

export class ChunkStore {
  readonly #root: string
  /** hex hashes known present: saves a stat per chunk on the hot path */
  /** hex hash -> stored as zstd: saves a stat per chunk on the hot path */
  readonly #known = new Map<string, boolean>()

  constructor (root: string) {
    this.#root = root
  }

  async init (): Promise<void> {
    await mkdir(this.#root, { recursive: true })
  }

  #path (h: string, zstd: boolean): string {
    return join(this.#root, h.slice(0, 2), zstd ? `${h}.zst` : h)
  }

  async has (hash: Uint8Array): Promise<boolean> {
    return (await this.#locate(hex(hash))) != null
  }

  async #locate (h: string): Promise<{ file: string, zstd: boolean } | null> {
    const known = this.#known.get(h)
    if (known != null) return { file: this.#path(h, known), zstd: known }
    for (const zstd of [true, false]) {
      const file = this.#path(h, zstd)
      if (await exists(file)) {
        this.#known.set(h, zstd)
        return { file, zstd }
      }
    }
    return null
  }

  async get (hash: Uint8Array): Promise<StoredBlock | null> {
    const where = await this.#locate(hex(hash))
    if (where == null) return null
    try {
      return { data: await readFile(where.file), zstd: where.zstd }
    } catch {
      this.#known.delete(hex(hash))
      return null
    }
  }

  /**
   * Writes a verified chunk through a temp file and a rename: a killed hub leaves it whole or
   * absent. No fsync per chunk (it cost more than the transfer); receivers verify every chunk.
   */
  async put (hash: Uint8Array, block: StoredBlock): Promise<void> {
    const h = hex(hash)
    if (this.#known.has(h)) return
    const file = this.#path(h, block.zstd)
    await mkdir(join(this.#root, h.slice(0, 2)), { recursive: true })
    const tmp = `${file}.tmp-${randomBytes(4).toString('hex')}`
    await writeFile(tmp, block.data)
    await rename(tmp, file)
    this.#known.set(h, block.zstd)
  }
}

async function exists (file: string): Promise<boolean> {
  try {
    await stat(file)
    return true
  } catch {
    return false
  }
}
