// Issue 17's targets, in short form: every attack of scripts/attack at once for 10 s, at a scale
// that leaves room for the tests running beside it, against a real hub and two honest clients.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { SHORT, runAttack } from '../../scripts/attack/run.ts'
import { mb } from '../../scripts/attack/memory.ts'

test('under attack the hub stays under 300 MB, strangers get nothing, and honest clients keep syncing', { timeout: 170_000 }, async () => {
  const report = await runAttack({ seconds: 10, scale: SHORT, log: line => { console.log(line) } })
  assert.ok(report.hubAlive, 'the hub died')
  assert.ok(report.hubPeakRss < 300e6, `hub peak RSS ${mb(report.hubPeakRss)}`)
  assert.equal(report.strangersAdmitted, 0)
  assert.ok(report.honestConverged, report.notes.join('\n'))
  assert.ok(!report.lostHub, report.notes.join('\n'))
})
