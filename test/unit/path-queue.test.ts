// The client's work queue: one path's work in order and never overlapping, at most `limit` paths
// at once, everything pushed runs once, a failure is reported and does not stop the queue.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { PathQueue } from '../../src/client/path-queue.ts'

const ticks = async (n: number): Promise<void> => { for (let i = 0; i < n; i++) await new Promise(resolve => setImmediate(resolve)) }

describe('PathQueue', () => {
  test('per-path order, no overlap on a path, the limit, every task once', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 4 }),
      // pushes: [path, ticks the task takes, ticks to wait before the next push]
      fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.nat(3), fc.nat(2)), { minLength: 1, maxLength: 40 }),
      async (limit, pushes) => {
        const errors: string[] = []
        const q = new PathQueue(limit, (path, err) => { errors.push(`${path}: ${(err as Error).message}`) })
        const started: Array<[string, number]> = []
        const runningPaths = new Set<string>()
        let running = 0
        let peak = 0
        let done = 0
        for (const [i, [path, cost, gap]] of pushes.entries()) {
          q.push(path, async () => {
            assert.ok(!runningPaths.has(path), `two tasks of ${path} at once`)
            runningPaths.add(path)
            started.push([path, i])
            peak = Math.max(peak, ++running)
            await ticks(cost)
            running--
            runningPaths.delete(path)
            done++
          })
          await ticks(gap)
        }
        for (let i = 0; i < 400 && done < pushes.length; i++) await ticks(1)
        assert.equal(done, pushes.length)
        assert.deepEqual(errors, [])
        assert.ok(peak <= limit, `${peak} tasks ran at once, limit ${limit}`)
        for (const p of 'abcde') {
          const order = started.filter(([path]) => path === p).map(([, i]) => i)
          assert.deepEqual(order, [...order].sort((x, y) => x - y), `${p} ran out of order`)
        }
      }), { numRuns: 100 })
  })

  test('a failing task is reported with its path and the next task of that path still runs', async () => {
    const errors: string[] = []
    const q = new PathQueue(1, (path, err) => { errors.push(`${path}: ${(err as Error).message}`) })
    const ran: string[] = []
    q.push('x', async () => { throw new Error('disk full') })
    q.push('x', async () => { ran.push('x2') })
    q.push('y', async () => { ran.push('y') })
    await ticks(5)
    assert.deepEqual(errors, ['x: disk full'])
    assert.deepEqual(ran.sort(), ['x2', 'y'])
  })
  test('below(n) holds a producer until fewer than n paths wait, and never holds it when they already are', async () => {
    const q = new PathQueue(1, () => {})
    const gates: Array<() => void> = []
    for (const p of ['a', 'b', 'c', 'd']) q.push(p, async () => { await new Promise<void>(resolve => { gates.push(resolve) }) })
    // 'a' runs, b, c, d wait
    let released = false
    void q.below(2).then(() => { released = true })
    await ticks(3)
    assert.equal(released, false, 'three paths wait')
    gates.shift()!() // a ends, b runs: c, d wait
    await ticks(3)
    assert.equal(released, false, 'two paths wait')
    gates.shift()!() // b ends, c runs: d waits
    await ticks(3)
    assert.equal(released, true, 'one path waits')
    let at = false
    await q.below(5).then(() => { at = true })
    assert.equal(at, true)
    for (let i = 0; i < 10 && gates.length > 0; i++) { gates.shift()!(); await ticks(2) }
  })
})
