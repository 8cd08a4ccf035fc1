import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { MAX_ATTEMPTS, RetryLater, retryWaitMs } from '../../src/client/retry-later.ts'

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
    const r = new RetryLater<string>((item, attempt) => { ran.push([item, attempt]) })
    assert.equal(r.later('a', 'x', 1), true)
    assert.equal(r.size, 1)
    await sleep(400)
    assert.deepEqual(ran, [['x', 1]])
    assert.equal(r.size, 0)
  })

  it('parks an item past the last attempt and runs it on retryParked', () => {
    const ran: string[] = []
    const r = new RetryLater<string>(item => { ran.push(item) })
    assert.equal(r.later('a', 'x', MAX_ATTEMPTS + 1), false)
    assert.equal(r.size, 1)
    assert.deepEqual(ran, [])
    r.retryParked()
    assert.deepEqual(ran, ['x'])
    assert.equal(r.size, 0)
    r.clear()
  })
})
