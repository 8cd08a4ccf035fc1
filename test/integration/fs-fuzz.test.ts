// A short run of the random filesystem operations generator (scripts/fs-fuzz.ts): hub and two
// clients as real processes, 300 operations on both clients, the trees identical at the end.
// Seeds 1 and 2 found bugs once (a directory put where a file was went unwatched; a deleted
// directory holding new content was never proposed; a remote change answered by a deletion held
// back was dropped, and a stale child re-made the directory): kept as regression cases.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fuzz } from '../../scripts/fs-fuzz.ts'

const seeds = process.env.DISTSYNC_FUZZ_SEED != null ? [Number(process.env.DISTSYNC_FUZZ_SEED)] : [1, 2]

/** Seeds that still diverge at times, with why: they run and report, but do not fail the suite. */
const KNOWN: Record<number, string> = {}

for (const seed of seeds) {
  test(`fs-fuzz seed ${seed}: 300 operations on two clients converge`, { todo: KNOWN[seed] ?? false }, async () => {
    const res = await fuzz(seed, 300)
    assert.ok(res.ok, `seed ${seed} (replay: node dist/scripts/fs-fuzz.js --seed ${seed} --ops 300 --logs DIR): ${res.error ?? ''}`)
  })
}
