// Group commit: the writes of one event-loop turn land together, a failed write alone, and a
// commit that fails takes its whole group with it and says so.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CommitError, GroupCommit, openDatabase } from '../../src/index/open-db.ts'
import type { DatabaseSync } from 'node:sqlite'

async function withDb (fn: (db: DatabaseSync, other: DatabaseSync) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'distsync-group-'))
  const file = join(dir, 'g.db')
  const db = openDatabase(file)
  // a deferred foreign key is checked at COMMIT: the one way to make a commit itself fail here
  db.exec(`PRAGMA foreign_keys = ON;
    CREATE TABLE parent (id INTEGER PRIMARY KEY);
    CREATE TABLE t (v INTEGER, parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);`)
  const other = openDatabase(file)
  try {
    await fn(db, other)
  } finally {
    other.close()
    db.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

const values = (db: DatabaseSync): number[] => (db.prepare('SELECT v FROM t ORDER BY v').all() as Array<{ v: number }>).map(r => r.v)

test('the writes of one turn are committed together at its end; a write that throws is undone alone', async () => {
  await withDb(async (db, other) => {
    const committed: string[] = []
    const group = new GroupCommit(db, 'the test table', { committed: () => committed.push('commit'), rolledBack: () => assert.fail('no rollback expected') })
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)')
    group.write(() => insert.run(1))
    assert.throws(() => group.write(() => { insert.run(2); throw new Error('half done') }), /half done/)
    group.write(() => insert.run(3))
    assert.deepEqual(values(db), [1, 3], 'the writer sees its own writes at once')
    assert.deepEqual(values(other), [], 'nobody else before the commit')
    await group.durable()
    assert.deepEqual(committed, ['commit'])
    assert.deepEqual(values(other), [1, 3])
    // the next turn starts a new group
    group.write(() => insert.run(4))
    await group.durable()
    assert.deepEqual(committed, ['commit', 'commit'])
    assert.deepEqual(values(other), [1, 3, 4])
  })
})

test('a commit that fails loses its whole group, rejects durable() and reports a CommitError', async () => {
  await withDb(async (db, other) => {
    const lost: Error[] = []
    const group = new GroupCommit(db, 'the test table', { rolledBack: err => lost.push(err) })
    const insert = db.prepare('INSERT INTO t (v, parent) VALUES (?, ?)')
    group.write(() => insert.run(1, null))
    group.write(() => insert.run(2, 99)) // no parent 99: refused at COMMIT
    await assert.rejects(group.durable(), (err: Error) => err instanceof CommitError && /could not save the test table: .*FOREIGN KEY/.test(err.message))
    assert.equal(lost.length, 1)
    assert.ok(lost[0] instanceof CommitError)
    assert.deepEqual(values(db), [])
    assert.deepEqual(values(other), [])
    // the store goes on: the next group commits
    group.write(() => insert.run(5, null))
    await group.durable()
    assert.deepEqual(values(other), [5])
  })
})

test('with a gap, writes that keep coming share a commit until the gap since the last one has passed', async () => {
  await withDb(async (db, other) => {
    let commits = 0
    const group = new GroupCommit(db, 'the test table', { committed: () => commits++, rolledBack: () => assert.fail('no rollback expected') }, 200)
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)')
    group.write(() => insert.run(1))
    await group.durable()
    assert.equal(commits, 1, 'the first group is committed at the end of its turn')
    // three more turns, each with a write, right after that commit: one group
    for (const v of [2, 3, 4]) {
      group.write(() => insert.run(v))
      await new Promise(resolve => setImmediate(resolve))
    }
    assert.equal(commits, 1, 'not yet: the gap has not passed')
    assert.deepEqual(values(other), [1])
    await group.durable()
    assert.equal(commits, 2)
    assert.deepEqual(values(other), [1, 2, 3, 4])
  })
})
