import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { isWatchLimitError, suggestedWatchLimit, watchLimitMessage } from '../../src/fs/watch-limit.ts'

test('one line: the limit, how many directories are not watched, the fallback and the command', () => {
  const line = watchLimitMessage({ unwatched: 21, limit: 10, rescanSeconds: 30 })
  assert.doesNotMatch(line, /\n/)
  assert.match(line, /max_user_watches = 10\) is reached: 21 directories are not watched, so the whole folder is rescanned every 30 s instead; to watch them all, run: sudo sysctl fs\.inotify\.max_user_watches=65536/)
  assert.match(watchLimitMessage({ unwatched: 1, limit: undefined, rescanSeconds: 30 }), /^the inotify watch limit is reached: 1 directory is not watched/)
})

test('property: the suggested limit is a power of two with room for twice the shortfall', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 1, max: 10_000_000 }), (limit, unwatched) => {
    const n = suggestedWatchLimit(limit, unwatched)
    return Number.isInteger(Math.log2(n)) && n >= 2 * (limit + unwatched) && n >= 65536
  }))
})

test('only the kernel\'s refusals count as the watch limit', () => {
  const err = (code: string): Error => Object.assign(new Error(code), { code })
  assert.equal(isWatchLimitError(err('ENOSPC')), true)
  assert.equal(isWatchLimitError(err('EMFILE')), true)
  assert.equal(isWatchLimitError(err('EACCES')), false)
  assert.equal(isWatchLimitError(new Error('x')), false)
})
