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
