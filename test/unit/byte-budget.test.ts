// The budget behind the blocks server's bound on answer bytes per peer.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { ByteBudget, PeerBudgets } from '../../src/net/byte-budget.ts'

test('takes wait in order until bytes are given back; a take is capped at the capacity', async () => {
  const b = new ByteBudget(10)
  assert.equal(await b.take(6), 6)
  const order: string[] = []
  const big = b.take(8).then(n => { order.push(`big ${n}`) })
  const small = b.take(1).then(n => { order.push(`small ${n}`) })
  await nextTurn()
  assert.deepEqual(order, [], 'the small one does not pass the big one waiting ahead of it')
  b.give(6)
  await Promise.all([big, small])
  assert.deepEqual(order, ['big 8', 'small 1'])
  assert.equal(b.available, 1)
  b.give(9)
  assert.equal(await b.take(100), 10)
})

test('an aborted take leaves the queue and lets the next one through', async () => {
  const b = new ByteBudget(4)
  await b.take(4)
  const ac = new AbortController()
  const first = b.take(4, ac.signal)
  const second = b.take(2)
  ac.abort(new Error('stream gone'))
  await assert.rejects(first, /stream gone/)
  b.give(2)
  assert.equal(await second, 2)
})

test('one budget per peer, shared by its users, forgotten after the last', async () => {
  const budgets = new PeerBudgets(8)
  const a1 = budgets.use('a')
  const a2 = budgets.use('a')
  const b = budgets.use('b')
  assert.equal(a1.budget, a2.budget)
  assert.notEqual(a1.budget, b.budget)
  await a1.budget.take(8)
  assert.equal(b.budget.available, 8, 'one peer taking all leaves another untouched')
  a1.done(); a2.done()
  assert.equal(budgets.use('a').budget.available, 8, 'a new budget once every user is done')
})
