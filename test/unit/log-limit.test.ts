// Issue 17 case 8: repeated refusals from one peer are counted and summarised.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LogLimit } from '../../src/log-limit.ts'
import type { Logger } from '../../src/logger.ts'

test('the first lines per peer and interval are logged, the rest said in one summary', () => {
  const lines: Array<{ fields: Record<string, unknown>, msg: string }> = []
  const sink = (fields: Record<string, unknown>, msg: string): void => { lines.push({ fields, msg }) }
  const log = { warn: sink, info: sink, debug: sink } as unknown as Logger
  let now = 0
  const limit = new LogLimit(log, { burst: 3, intervalMs: 1000 }, () => now)
  for (let i = 0; i < 1000; i++) limit.line('warn', 'mallory', { i }, 'refused a proposal')
  limit.line('warn', 'alice', {}, 'refused a proposal')
  assert.equal(lines.length, 4, 'three from mallory, one from alice')
  now = 1500
  limit.flush()
  assert.equal(lines.length, 5)
  assert.equal(lines[4]!.fields.peer, 'mallory')
  assert.equal(lines[4]!.fields.suppressed, 997)
  assert.match(lines[4]!.msg, /refused a proposal \(repeated/)
  limit.line('warn', 'mallory', {}, 'refused a proposal')
  assert.equal(lines.length, 6, 'a new interval logs again')
})
