// The client's index: per path the entry it is based on, that entry's seq, and the stat the
// file had when the index last saw it; where each chunk can be read locally; the last seq applied.
import { GroupCommit, openDatabase } from './open-db.ts'
import { ENTRY_COLUMNS, ENTRY_FIELDS, ENTRY_PARAMS, entryFromRow, entryParams } from './entry-row.ts'
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import type { EntryKind } from './entry.ts'
import type { IndexRecord, IndexStatRecord } from '../reconcile/client-decide.ts'

/** Where a chunk's bytes were last seen: a path relative to the synced directory (or in trash). */
export interface ChunkLocation { path: string, offset: number, size: number }

/** A path's parent with its trailing slash ('' at the top): the path with its last name trimmed
 * (rtrim drops every trailing character that is not '/'). Indexed, so a directory's children are
 * one lookup. */
const PARENT_OF_PATH = "rtrim(path, replace(path, '/', ''))"

/** At most one commit per this long while writes keep coming: a commit per turn was one per file
 * in a bulk sync, each rewriting the same pages to the WAL (a fifth of a client's CPU there). */
const COMMIT_GAP_MS = 50

/** path, kind, exec, deleted, target, st_size, st_mtime_ns, st_ino */
type ChildRow = [string, EntryKind, bigint, bigint, string, bigint | null, bigint | null, bigint | null]

export class IndexStore {
  readonly #db: DatabaseSync
  readonly #get: StatementSync
  readonly #put: StatementSync
  readonly #children: StatementSync
  readonly #dropLocs: StatementSync
  readonly #addLoc: StatementSync
  readonly #findLoc: StatementSync
  readonly #getMeta: StatementSync
  readonly #setMeta: StatementSync
  readonly #group: GroupCommit

  /** `failed`: writes were lost (the disk is full, say); the index no longer matches what the client did */
  constructor (file: string, failed: (err: Error) => void = err => { throw err }) {
    this.#db = openDatabase(file)
    this.#group = new GroupCommit(this.#db, 'the index', { rolledBack: failed }, COMMIT_GAP_MS)
    this.#db.exec(`CREATE TABLE IF NOT EXISTS entries (${ENTRY_COLUMNS}, seq INTEGER NOT NULL, st_size INTEGER, st_mtime_ns INTEGER, st_ino INTEGER);
      CREATE TABLE IF NOT EXISTS chunk_locs (hash BLOB NOT NULL, path TEXT NOT NULL, offset INTEGER NOT NULL, size INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS chunk_locs_hash ON chunk_locs (hash);
      CREATE INDEX IF NOT EXISTS chunk_locs_path ON chunk_locs (path);
      CREATE INDEX IF NOT EXISTS entries_parent ON entries (${PARENT_OF_PATH});
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`)
    this.#get = this.#db.prepare(`SELECT ${ENTRY_FIELDS}, seq, st_size, st_mtime_ns, st_ino FROM entries WHERE path = ?`)
    this.#get.setReadBigInts(true)
    this.#children = this.#db.prepare(`SELECT path, kind, exec, deleted, target, st_size, st_mtime_ns, st_ino FROM entries WHERE ${PARENT_OF_PATH} = ?`)
    this.#children.setReadBigInts(true)
    // rows as arrays: a third of the time of rows as objects on 33k entries
    this.#children.setReturnArrays(true)
    this.#put = this.#db.prepare(`INSERT OR REPLACE INTO entries (${ENTRY_FIELDS}, seq, st_size, st_mtime_ns, st_ino) VALUES (${ENTRY_PARAMS}, :seq, :st_size, :st_mtime_ns, :st_ino)`)
    this.#dropLocs = this.#db.prepare('DELETE FROM chunk_locs WHERE path = ?')
    this.#addLoc = this.#db.prepare('INSERT INTO chunk_locs (hash, path, offset, size) VALUES (?, ?, ?, ?)')
    this.#findLoc = this.#db.prepare('SELECT path, offset, size FROM chunk_locs WHERE hash = ? LIMIT 4')
    this.#getMeta = this.#db.prepare('SELECT value FROM meta WHERE key = ?')
    this.#setMeta = this.#db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)')
  }

  get (path: string): IndexRecord | undefined {
    const row = this.#get.get(path) as Record<string, unknown> | undefined
    return row == null ? undefined : toRecord(row)
  }

  /**
   * What the index knows of a directory's direct children ('' is the root), by name: enough to
   * tell whether each changed, without their hashes and chunk lists. One directory at a time, so
   * comparing a tree with the index never holds the whole index in memory.
   */
  children (dir: string): Map<string, IndexStatRecord> {
    const rows = this.#children.all(dir === '' ? '' : dir + '/') as unknown as ChildRow[]
    const out = new Map<string, IndexStatRecord>()
    const cut = dir === '' ? 0 : dir.length + 1
    for (const [path, kind, exec, deleted, target, size, mtimeNs, ino] of rows) {
      out.set(path.slice(cut), {
        entry: { kind, exec: exec !== 0n, deleted: deleted !== 0n, target },
        stat: size == null ? null : { size: Number(size), mtimeNs: mtimeNs!, ino: ino! }
      })
    }
    return out
  }

  /** Every live path with its kind and size, read as it is iterated (a status request on a big
   * tree must not hold the whole index). */
  * live (): Generator<{ path: string, kind: EntryKind, size: number }> {
    const rows = this.#db.prepare('SELECT path, kind, size FROM entries WHERE deleted = 0').iterate() as Iterable<{ path: string, kind: EntryKind, size: number }>
    for (const r of rows) yield { path: r.path, kind: r.kind, size: Number(r.size) }
  }

  /** Records a path's entry and, when `locate`, that its chunks are now readable there. */
  put (rec: IndexRecord, locate = false): void {
    this.#write(() => {
      this.#put.run({
        ...entryParams(rec.entry),
        seq: rec.seq,
        st_size: rec.stat?.size ?? null,
        st_mtime_ns: rec.stat?.mtimeNs ?? null,
        st_ino: rec.stat?.ino ?? null
      })
      if (locate) {
        this.#dropLocs.run(rec.entry.path)
        const { chunks } = rec.entry
        let offset = 0
        for (let i = 0; i < chunks.length; i++) {
          this.#addLoc.run(chunks.hash(i), rec.entry.path, offset, chunks.size(i))
          offset += chunks.size(i)
        }
      }
    })
  }

  /** Paths the index holds as live below a directory. */
  liveUnder (dir: string): string[] {
    const rows = this.#db.prepare('SELECT path FROM entries WHERE deleted = 0 AND substr(path, 1, ?) = ?').all(dir.length + 1, dir + '/') as Array<{ path: string }>
    return rows.map(r => r.path)
  }

  /** Moves chunk locations along with a file (into the trash, say). */
  moveLocations (from: string, to: string): void {
    this.#write(() => { this.#db.prepare('UPDATE chunk_locs SET path = ? WHERE path = ?').run(to, from) })
  }

  /** Every live path with its kind and size, streamed from the database (for `distsync status`). */
  * liveEntries (): Iterable<{ path: string, kind: EntryKind, size: number }> {
    const stmt = this.#db.prepare('SELECT path, kind, size FROM entries WHERE deleted = 0')
    for (const row of stmt.iterate() as Iterable<{ path: string, kind: EntryKind, size: number }>) yield row
  }

  /** Live paths last seen with inode `ino`: a file's other names (hard links). */
  pathsWithIno (ino: bigint): string[] {
    const rows = this.#db.prepare('SELECT path FROM entries WHERE deleted = 0 AND st_ino = ?').all(ino) as Array<{ path: string }>
    return rows.map(r => r.path)
  }

  /** Moves the chunk locations of everything below a directory along with it. */
  moveLocationsUnder (fromDir: string, toDir: string): void {
    this.#write(() => { this.#db.prepare('UPDATE chunk_locs SET path = ? || substr(path, ?) WHERE substr(path, 1, ?) = ?').run(toDir, fromDir.length + 1, fromDir.length + 1, fromDir + '/') })
  }

  dropLocations (pathPrefix: string): void {
    this.#write(() => { this.#db.prepare('DELETE FROM chunk_locs WHERE path = ? OR substr(path, 1, ?) = ?').run(pathPrefix, pathPrefix.length + 1, pathPrefix + '/') })
  }

  findChunk (hash: Uint8Array): ChunkLocation[] {
    return this.#findLoc.all(hash) as unknown as ChunkLocation[]
  }

  get lastSeq (): number { return Number(this.meta('last_seq') ?? '0') }
  set lastSeq (seq: number) { this.setMeta('last_seq', String(seq)) }

  meta (key: string): string | undefined {
    return (this.#getMeta.get(key) as { value: string } | undefined)?.value
  }

  setMeta (key: string, value: string): void { this.#write(() => { this.#setMeta.run(key, value) }) }

  /**
   * Writes share a commit (those of one turn, or of COMMIT_GAP_MS while writes keep coming). A
   * crash loses at most those, which the next start finds again by comparing the disk with the
   * index (and the hub sends again what came after the last seq saved).
   */
  #write (fn: () => void): void {
    this.#group.write(fn)
  }

  close (): void {
    this.#group.commit()
    this.#db.close()
  }
}

function toRecord (row: Record<string, unknown>): IndexRecord {
  const stat = row.st_size == null
    ? null
    : { size: Number(row.st_size as bigint), mtimeNs: row.st_mtime_ns as bigint, ino: row.st_ino as bigint }
  return { entry: entryFromRow(row), seq: Number(row.seq as bigint), stat }
}
