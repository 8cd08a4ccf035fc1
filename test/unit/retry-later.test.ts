import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import fc from 'fast-check'
import { MAX_ATTEMPTS, RetryLater, retryWaitMs } from '../../src/client/retry-later.ts'
import { HeldPaths, parentsOf } from '../../src/client/held-paths.ts'

describe('RetryLater', () => {
  it('waits longer each attempt, up to a bound', () => {
    assert.equal(retryWaitMs(0), 250)
    assert.equal(retryWaitMs(1), 500)
    assert.equal(retryWaitMs(20), 30_000)
    let total = 0
    for (let a = 0; a < MAX_ATTEMPTS; a++) total += retryWaitMs(a)
    assert.ok(total < 5 * 60_000, 'gives up within minutes')
  })

  it('runs a scheduled item with its attempt number', async () => {
    const ran: Array<[string, number]> = []
    const r = new RetryLater<string>((item, attempt) => { ran.push([item, attempt]) }, item => item)
    assert.equal(r.later('a', 'x', 1), true)
    assert.equal(r.size, 1)
    await sleep(400)
    assert.deepEqual(ran, [['x', 1]])
    assert.equal(r.size, 0)
  })

  it('parks an item past the last attempt and runs it on retryParked', () => {
    const ran: string[] = []
    const r = new RetryLater<string>(item => { ran.push(item) }, item => item)
    assert.equal(r.later('a', 'x', MAX_ATTEMPTS + 1), false)
    assert.equal(r.size, 1)
    assert.deepEqual(ran, [])
    r.retryParked()
    assert.deepEqual(ran, ['x'])
    assert.equal(r.size, 0)
    r.clear()
  })

  it('wakes the items held at a changed path, a parent of it or below it, without using an attempt', () => {
    const ran: Array<[string, number]> = []
    const r = new RetryLater<string>((item, attempt) => { ran.push([item, attempt]) }, item => item)
    try {
      // timers of seconds: only a wake runs these within the test
      for (const p of ['a/b', 'a/b/c/d', 'a', 'x/y', 'a/bc']) r.later(p, p, 6)
      r.later('parked', 'a/b/p', MAX_ATTEMPTS + 1)
      r.wake('q')
      r.wake('ab')
      assert.deepEqual(ran, [])
      r.wake('a/b')
      assert.deepEqual(ran.sort(), [['a', 5], ['a/b', 5], ['a/b/c/d', 5], ['a/b/p', MAX_ATTEMPTS]])
      assert.equal(r.size, 2)
      r.wake('a/b')
      assert.equal(ran.length, 4, 'a woken item is no longer waiting')
    } finally {
      r.clear()
    }
  })
})

describe('HeldPaths', () => {
  it('names the parents of a path', () => {
    assert.deepEqual(parentsOf('a'), [])
    assert.deepEqual(parentsOf('a/b/c'), ['a', 'a/b'])
  })

  it('relates a path to the held paths equal to it, above it or below it, and to no other', () => {
    const related = (a: string, b: string): boolean => a === b || a.startsWith(b + '/') || b.startsWith(a + '/')
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.constantFrom('a', 'a/b', 'a/b/c', 'a/bc', 'b', 'b/a'), fc.boolean()), { maxLength: 30 }),
      fc.constantFrom('a', 'a/b', 'a/b/c', 'a/b/c/d', 'a/bc', 'b', 'b/a', 'c'),
      (ops, changed) => {
        const held = new HeldPaths()
        const model = new Map<string, string>()
        ops.forEach(([path, add], i) => {
          // a delete takes the newest key of that path, as a run of a waiting item does
          const key = add ? `${i}\0${path}` : [...model].findLast(([, p]) => p === path)?.[0]
          if (key == null) return
          if (add) { held.add(path, key); model.set(key, path) } else { held.delete(path, key); model.delete(key) }
        })
        const want = [...model].filter(([, p]) => related(p, changed)).map(([k]) => k).sort()
        assert.deepEqual(held.related(changed).sort(), want)
        assert.equal(held.size === 0, model.size === 0)
      }
    ))
  })
})
