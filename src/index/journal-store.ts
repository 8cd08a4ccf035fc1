// The hub's journal: the latest entry of every path with the seq that made it, and the head seq.
// "Everything after seq N" is one indexed range scan.
import { GroupCommit, openDatabase, transaction } from './open-db.ts'
import { ChunkList } from '../chunk/chunk-list.ts'
import { ENTRY_COLUMNS, ENTRY_FIELDS, ENTRY_PARAMS, entryFromRow, entryParams } from './entry-row.ts'
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import type { Entry, EntryKind, JournalEntry } from './entry.ts'

/** `held`: the hub holds every chunk of the entry (issue 18: an entry is announced before; until then it is pending) */
export interface JournalRecord extends JournalEntry { origin: string, held: boolean }

export interface JournalStats { headSeq: number, files: number, bytes: number, deleted: number, pending: number }

/** Bytes the recent-records cache may hold (estimated: recordCost). Counted in records plus
 * chunks before, it held 65,536 small records, ~20-25 MB of the hub's heap in a 100,000-file sync. */
const RECENT_BUDGET = 8 * 1024 * 1024

/** A record's heap, roughly (measured ~940 bytes for one of one chunk): its objects and buffers, its path, 36 bytes per chunk. */
function recordCost (rec: JournalRecord): number {
  return 900 + 2 * rec.entry.path.length + 36 * rec.entry.chunks.length
}

export class JournalStore {
  readonly #db: DatabaseSync
  readonly #get: StatementSync
  readonly #put: StatementSync
  readonly #since: StatementSync
  readonly #setMeta: StatementSync
  readonly #markHeld: StatementSync
  readonly #addRef: StatementSync
  readonly #hasRef: StatementSync
  readonly #liveBelow: StatementSync
  readonly #kindOf: StatementSync
  readonly #group: GroupCommit
  /** the last seq handed out */
  #head: number
  /** the last seq on disk: nothing after it is shown to anyone (a crash would hand its seq out again) */
  #durableHead: number
  /**
   * The records this process committed last, in seq order without gaps, so that sessions
   * following the head read them from memory: a query per session per record was a third of
   * the hub's database time in a bulk sync. `#latest` marks which of them are still the newest
   * of their path (the table keeps only those).
   */
  #recent: JournalRecord[] = []
  #recentCost = 0
  readonly #latest = new Map<string, number>()

  /** `failed`: a commit was lost (the disk is full, say); records after headSeq are gone */
  constructor (file: string, failed: (err: Error) => void = err => { throw err }) {
    this.#db = openDatabase(file)
    this.#group = new GroupCommit(this.#db, 'the journal', {
      committed: () => { this.#durableHead = this.#head },
      rolledBack: err => {
        this.#forgetUncommitted()
        failed(err)
      }
    })
    // chunk_refs: every chunk any version in this journal has used, so that the hub serves a
    // peer only chunks of its own folders (the chunk store is shared by all folders)
    this.#db.exec(`CREATE TABLE IF NOT EXISTS entries (${ENTRY_COLUMNS}, seq INTEGER NOT NULL UNIQUE, origin TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS chunk_refs (hash BLOB PRIMARY KEY) WITHOUT ROWID;`)
    addHeldColumn(this.#db)
    this.#get = this.#db.prepare(`SELECT ${ENTRY_FIELDS}, seq, origin, held FROM entries WHERE path = ?`)
    this.#get.setReadBigInts(true)
    this.#put = this.#db.prepare(`INSERT OR REPLACE INTO entries (${ENTRY_FIELDS}, seq, origin, held) VALUES (${ENTRY_PARAMS}, :seq, :origin, :held)`)
    this.#since = this.#db.prepare(`SELECT ${ENTRY_FIELDS}, seq, origin, held FROM entries WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`)
    this.#markHeld = this.#db.prepare('UPDATE entries SET held = 1 WHERE seq = ?')
    this.#since.setReadBigInts(true)
    this.#setMeta = this.#db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)')
    this.#addRef = this.#db.prepare('INSERT OR IGNORE INTO chunk_refs (hash) VALUES (?)')
    this.#hasRef = this.#db.prepare('SELECT 1 FROM chunk_refs WHERE hash = ?')
    // a range of the primary key: '0' is the character after '/'
    this.#liveBelow = this.#db.prepare('SELECT 1 FROM entries WHERE path > ? AND path < ? AND deleted = 0 LIMIT 1')
    this.#kindOf = this.#db.prepare('SELECT kind FROM entries WHERE path = ? AND deleted = 0')
    this.#backfillChunkRefs()
    const head = this.#db.prepare('SELECT MAX(seq) AS head FROM entries').get() as { head: number | null }
    this.#head = head.head ?? 0
    this.#durableHead = this.#head
  }

  /** The last seq committed to disk. */
  get headSeq (): number { return this.#durableHead }

  get (path: string): JournalRecord | undefined {
    const row = this.#get.get(path) as Record<string, unknown> | undefined
    return row == null ? undefined : toRecord(row)
  }

  /** The kind of a live entry, without reading the rest of its row (tree-shape.ts). */
  liveKind (path: string): EntryKind | undefined {
    return (this.#kindOf.get(path) as { kind: EntryKind } | undefined)?.kind
  }

  /** Whether any live entry lies below `dir` (tree-shape.ts). */
  liveBelow (dir: string): boolean {
    return this.#liveBelow.get(`${dir}/`, `${dir}0`) != null
  }

  /**
   * Writes records together, each with the next seq, and returns them with their seqs. get()
   * sees them at once; headSeq, since() and everyone else once `durable()` resolves (all writes
   * of one event-loop turn share a commit).
   */
  /** `held` defaults to true: the hub holds the content (a deletion, a directory, a small file that came with it) */
  commit (records: Array<{ entry: Entry, origin: string, held?: boolean }>): JournalRecord[] {
    const head = this.#head
    let committed: JournalRecord[]
    try {
      committed = this.#group.write(() => records.map(({ entry, origin, held = true }) => {
        const seq = ++this.#head
        this.#put.run({ ...entryParams(entry), seq, origin, held: held ? 1 : 0 })
        for (let i = 0; i < entry.chunks.length; i++) this.#addRef.run(entry.chunks.hash(i))
        return { entry, seq, origin, held }
      }))
    } catch (err) {
      this.#head = head
      throw err
    }
    this.#remember(committed)
    return committed
  }

  /**
   * The hub now holds every chunk of the record with this seq (its bytes must be durable before
   * this is called). False if that record was replaced meanwhile. On disk once `durable()` resolves.
   */
  markHeld (seq: number): boolean {
    const changed = this.#group.write(() => this.#markHeld.run(seq).changes) > 0
    if (!changed) return false
    const first = this.#recent[0]
    const rec = first == null ? undefined : this.#recent[seq - first.seq]
    if (rec?.seq === seq) rec.held = true
    return true
  }

  /** The record with this seq, if it is still the newest of its path. */
  bySeq (seq: number): JournalRecord | undefined {
    const row = this.#db.prepare(`SELECT ${ENTRY_FIELDS}, seq, origin, held FROM entries WHERE seq = ?`)
    row.setReadBigInts(true)
    const got = row.get(seq) as Record<string, unknown> | undefined
    return got == null ? undefined : toRecord(got)
  }

  /** Records the hub does not hold yet, oldest first. */
  pending (): JournalRecord[] {
    const st = this.#db.prepare(`SELECT ${ENTRY_FIELDS}, seq, origin, held FROM entries WHERE held = 0 ORDER BY seq`)
    st.setReadBigInts(true)
    return (st.all() as Array<Record<string, unknown>>).map(toRecord)
  }

  /** Resolves once every record committed so far is on disk; rejects if their commit failed. */
  async durable (): Promise<void> {
    await this.#group.durable()
  }

  /**
   * A page of the journal after `seq`, up to headSeq, in seq order: the newest record of each
   * path (one superseded by a record not yet on disk is in neither: a page shorter than `limit`
   * covers everything up to headSeq).
   */
  since (seq: number, limit: number): JournalRecord[] {
    const head = this.#durableHead
    if (seq >= head) return []
    const first = this.#recent[0]
    if (first == null || seq + 1 < first.seq) {
      return (this.#since.all(seq, head, limit) as Array<Record<string, unknown>>).map(toRecord)
    }
    const page: JournalRecord[] = []
    for (let i = seq + 1 - first.seq; i < this.#recent.length && page.length < limit; i++) {
      const rec = this.#recent[i]!
      if (rec.seq > head) break
      if (this.#latest.get(rec.entry.path) === rec.seq) page.push(rec)
    }
    return page
  }

  /** A failed commit took its records: memory forgets them too and their seqs are handed out again. */
  #forgetUncommitted (): void {
    this.#head = this.#durableHead
    this.#recent = this.#recent.filter(rec => rec.seq <= this.#durableHead)
    this.#recentCost = 0
    this.#latest.clear()
    for (const rec of this.#recent) {
      this.#recentCost += recordCost(rec)
      this.#latest.set(rec.entry.path, rec.seq)
    }
  }

  #remember (committed: JournalRecord[]): void {
    for (const rec of committed) {
      this.#recent.push(rec)
      this.#recentCost += recordCost(rec)
      this.#latest.set(rec.entry.path, rec.seq)
    }
    // drop the oldest half at once: shifting one record per commit would copy the array each time
    if (this.#recentCost <= RECENT_BUDGET) return
    let drop = 0
    while (drop < this.#recent.length && this.#recentCost > RECENT_BUDGET / 2) {
      const old = this.#recent[drop++]!
      this.#recentCost -= recordCost(old)
      if (this.#latest.get(old.entry.path) === old.seq) this.#latest.delete(old.entry.path)
    }
    this.#recent = this.#recent.slice(drop)
  }

  /** Whether some version in this journal has used the chunk. */
  hasChunk (hash: Uint8Array): boolean {
    return this.#hasRef.get(hash) != null
  }

  /** Journals from before chunk_refs: every chunk of what they hold. */
  #backfillChunkRefs (): void {
    if (this.meta().chunk_refs === '1') return
    transaction(this.#db, () => {
      for (const row of this.#db.prepare('SELECT chunks FROM entries WHERE deleted = 0').iterate() as Iterable<{ chunks: Uint8Array }>) {
        const chunks = new ChunkList(row.chunks)
        for (let i = 0; i < chunks.length; i++) this.#addRef.run(chunks.hash(i))
      }
      this.#setMeta.run('chunk_refs', '1')
    })
  }

  setMeta (key: string, value: string): void { this.#setMeta.run(key, value) }

  stats (): JournalStats {
    const row = this.#db.prepare('SELECT COUNT(*) FILTER (WHERE deleted = 0 AND kind = \'file\') AS files, COALESCE(SUM(size) FILTER (WHERE deleted = 0), 0) AS bytes, COUNT(*) FILTER (WHERE deleted = 1) AS deleted, COUNT(*) FILTER (WHERE held = 0) AS pending FROM entries').get() as { files: number, bytes: number, deleted: number, pending: number }
    return { headSeq: this.#head, ...row }
  }

  meta (): Record<string, string> {
    const rows = this.#db.prepare('SELECT key, value FROM meta').all() as Array<{ key: string, value: string }>
    return Object.fromEntries(rows.map(r => [r.key, r.value]))
  }

  close (): void {
    this.#group.commit()
    this.#db.close()
  }
}

function toRecord (row: Record<string, unknown>): JournalRecord {
  return { entry: entryFromRow(row), seq: Number(row.seq as bigint), origin: row.origin as string, held: Number(row.held as bigint) === 1 }
}

/** Journals written before issue 18 held every entry they recorded. */
function addHeldColumn (db: DatabaseSync): void {
  const columns = (db.prepare('PRAGMA table_info(entries)').all() as Array<{ name: string }>).map(c => c.name)
  if (!columns.includes('held')) db.exec('ALTER TABLE entries ADD COLUMN held INTEGER NOT NULL DEFAULT 1')
}
