// A loop over buffered input yields to the event loop once per slice.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { TurnSlicer } from '../../src/net/turn-slicer.ts'

test('a microtask-only loop lets a timer run once it has used its slice', async () => {
  const turns = new TurnSlicer(2)
  let timerRan = false
  setTimeout(() => { timerRan = true }, 0)
  const started = performance.now()
  // without pass() this loop would finish before the timer (microtasks only)
  while (!timerRan && performance.now() - started < 5000) {
    await turns.pass()
    await Promise.resolve()
  }
  assert.equal(timerRan, true)
})
