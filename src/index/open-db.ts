import { DatabaseSync } from 'node:sqlite'

/** WAL with synchronous=NORMAL: a crash loses at most the last transactions, never corrupts. */
export function openDatabase (file: string): DatabaseSync {
  const db = new DatabaseSync(file)
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;')
  return db
}

/** Runs fn in one transaction. node:sqlite is synchronous, so nothing else interleaves. */
export function transaction<T> (db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE')
  try {
    const out = fn()
    db.exec('COMMIT')
    return out
  } catch (err) {
    db.exec('ROLLBACK')
    throw err
  }
}

/** A group of writes could not be committed (a full disk, say): none of them happened. */
export class CommitError extends Error {
  override name = 'CommitError'
  readonly code = 'ERR_COMMIT'
}

export interface GroupEvents {
  /** every write so far is on disk (runs before durable() resolves) */
  committed?: () => void
  /** a group's commit failed and its writes are gone */
  rolledBack: (err: CommitError) => void
}

/**
 * Every write of one event-loop turn goes in one transaction, committed at the end of the turn
 * (group commit: thousands of small files made one commit, one WAL write, each). Each write is a
 * savepoint, so it still lands whole or not at all. What must not be seen before it is on disk
 * waits for `durable()`.
 */
export class GroupCommit {
  readonly #db: DatabaseSync
  readonly #what: string
  readonly #events: GroupEvents
  readonly #gapMs: number
  #open: PromiseWithResolvers<void> | undefined
  #lastCommit = -Infinity

  /** `what` names the store in a CommitError. `gapMs`: a group started sooner than this after
   * the last commit waits until then, so a steady stream of writes makes one commit per gap
   * rather than one per turn (for a store nobody awaits durable() of). */
  constructor (db: DatabaseSync, what: string, events: GroupEvents, gapMs = 0) {
    this.#db = db
    this.#what = what
    this.#events = events
    this.#gapMs = gapMs
  }

  write<T> (fn: () => T): T {
    if (this.#open == null) {
      this.#db.exec('BEGIN IMMEDIATE')
      this.#open = Promise.withResolvers()
      this.#open.promise.catch(() => {}) // a failed commit is reported to whoever awaits durable()
      const wait = this.#lastCommit + this.#gapMs - performance.now()
      if (wait > 0) setTimeout(() => { this.commit() }, wait)
      else setImmediate(() => { this.commit() })
    }
    this.#db.exec('SAVEPOINT w')
    try {
      const out = fn()
      this.#db.exec('RELEASE w')
      return out
    } catch (err) {
      this.#db.exec('ROLLBACK TO w')
      this.#db.exec('RELEASE w')
      throw err
    }
  }

  /** Resolves once every write made so far is committed; rejects if their commit failed. */
  async durable (): Promise<void> {
    await this.#open?.promise
  }

  commit (): void {
    const group = this.#open
    if (group == null) return
    this.#open = undefined
    this.#lastCommit = performance.now()
    try {
      this.#db.exec('COMMIT')
    } catch (err) {
      // a failed COMMIT (a full disk) may leave the transaction open
      try { this.#db.exec('ROLLBACK') } catch {}
      const lost = new CommitError(`could not save ${this.#what}: ${(err as Error).message}`)
      group.reject(lost)
      this.#events.rolledBack(lost)
      return
    }
    this.#events.committed?.()
    group.resolve()
  }
}
