// The hub's journal: the latest entry of every path with the seq that made it, and the head seq.
// "Everything after seq N" is one indexed range scan.
import { openDatabase, transaction } from './open-db.ts'
import { ENTRY_COLUMNS, ENTRY_FIELDS, ENTRY_PARAMS, entryFromRow, entryParams } from './entry-row.ts'
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import type { Entry, JournalEntry } from './entry.ts'

export interface JournalRecord extends JournalEntry { origin: string }

export interface JournalStats { headSeq: number, files: number, bytes: number, deleted: number }

/** What the recent-records cache may hold, counted in records plus their chunks. */
const RECENT_BUDGET = 64 * 1024

export class JournalStore {
  readonly #db: DatabaseSync
  readonly #get: StatementSync
  readonly #put: StatementSync
  readonly #since: StatementSync
  readonly #setMeta: StatementSync
  #head: number
  /**
   * The records this process committed last, in seq order without gaps, so that sessions
   * following the head read them from memory: a query per session per record was a third of
   * the hub's database time in a bulk sync. `#latest` marks which of them are still the newest
   * of their path (the table keeps only those).
   */
  #recent: JournalRecord[] = []
  #recentCost = 0
  readonly #latest = new Map<string, number>()

  constructor (file: string) {
    this.#db = openDatabase(file)
    this.#db.exec(`CREATE TABLE IF NOT EXISTS entries (${ENTRY_COLUMNS}, seq INTEGER NOT NULL UNIQUE, origin TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`)
    this.#get = this.#db.prepare(`SELECT ${ENTRY_FIELDS}, seq, origin FROM entries WHERE path = ?`)
    this.#get.setReadBigInts(true)
    this.#put = this.#db.prepare(`INSERT OR REPLACE INTO entries (${ENTRY_FIELDS}, seq, origin) VALUES (${ENTRY_PARAMS}, :seq, :origin)`)
    this.#since = this.#db.prepare(`SELECT ${ENTRY_FIELDS}, seq, origin FROM entries WHERE seq > ? ORDER BY seq LIMIT ?`)
    this.#since.setReadBigInts(true)
    this.#setMeta = this.#db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)')
    const head = this.#db.prepare('SELECT MAX(seq) AS head FROM entries').get() as { head: number | null }
    this.#head = head.head ?? 0
  }

  get headSeq (): number { return this.#head }

  get (path: string): JournalRecord | undefined {
    const row = this.#get.get(path) as Record<string, unknown> | undefined
    return row == null ? undefined : toRecord(row)
  }

  /** Commits records in one transaction, each with the next seq; returns them with their seqs. */
  commit (records: Array<{ entry: Entry, origin: string }>): JournalRecord[] {
    const head = this.#head
    let committed: JournalRecord[]
    try {
      committed = transaction(this.#db, () => records.map(({ entry, origin }) => {
        const seq = ++this.#head
        this.#put.run({ ...entryParams(entry), seq, origin })
        return { entry, seq, origin }
      }))
    } catch (err) {
      this.#head = head
      throw err
    }
    this.#remember(committed)
    return committed
  }

  /** A page of the journal after `seq`, in seq order: the newest record of each path. */
  since (seq: number, limit: number): JournalRecord[] {
    if (seq >= this.#head) return []
    const first = this.#recent[0]
    if (first == null || seq + 1 < first.seq) {
      return (this.#since.all(seq, limit) as Array<Record<string, unknown>>).map(toRecord)
    }
    const page: JournalRecord[] = []
    for (let i = seq + 1 - first.seq; i < this.#recent.length && page.length < limit; i++) {
      const rec = this.#recent[i]!
      if (this.#latest.get(rec.entry.path) === rec.seq) page.push(rec)
    }
    return page
  }

  #remember (committed: JournalRecord[]): void {
    for (const rec of committed) {
      this.#recent.push(rec)
      this.#recentCost += 1 + rec.entry.chunks.length
      this.#latest.set(rec.entry.path, rec.seq)
    }
    // drop the oldest half at once: shifting one record per commit would copy the array each time
    if (this.#recentCost <= RECENT_BUDGET) return
    let drop = 0
    while (drop < this.#recent.length && this.#recentCost > RECENT_BUDGET / 2) {
      const old = this.#recent[drop++]!
      this.#recentCost -= 1 + old.entry.chunks.length
      if (this.#latest.get(old.entry.path) === old.seq) this.#latest.delete(old.entry.path)
    }
    this.#recent = this.#recent.slice(drop)
  }

  setMeta (key: string, value: string): void { this.#setMeta.run(key, value) }

  stats (): JournalStats {
    const row = this.#db.prepare('SELECT COUNT(*) FILTER (WHERE deleted = 0 AND kind = \'file\') AS files, COALESCE(SUM(size) FILTER (WHERE deleted = 0), 0) AS bytes, COUNT(*) FILTER (WHERE deleted = 1) AS deleted FROM entries').get() as { files: number, bytes: number, deleted: number }
    return { headSeq: this.#head, ...row }
  }

  meta (): Record<string, string> {
    const rows = this.#db.prepare('SELECT key, value FROM meta').all() as Array<{ key: string, value: string }>
    return Object.fromEntries(rows.map(r => [r.key, r.value]))
  }

  close (): void { this.#db.close() }
}

function toRecord (row: Record<string, unknown>): JournalRecord {
  return { entry: entryFromRow(row), seq: Number(row.seq as bigint), origin: row.origin as string }
}
