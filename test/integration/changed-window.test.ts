// The hub sends a client its folder's changes only within a window of what that client reports
// done (sync 5.0.0 Progress): a receiver slower than the sender no longer holds the whole backlog
// in memory (issue 20: a receiver of a 100,000-file tree queued every change as it arrived).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CHANGED_WINDOW_FRAMES } from '../../src/net/limits.ts'
import { startHub, waitFor, sleep } from './harness.ts'
import { fileEntry, hostileMember } from './hostile-member.ts'

test('a client that reports nothing done gets one window of changes, and the rest once it reports', async () => {
  const hub = await startHub()
  const writer = await hostileMember(hub.addr)
  const total = CHANGED_WINDOW_FRAMES + 150
  try {
    let next = 0
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < total) {
        const i = next++
        const { entry, blocks } = fileEntry(`f${i}.txt`, new TextEncoder().encode(`file ${i}`))
        const r = await writer.propose(entry, 0, blocks)
        assert.equal(r.outcome, 'accepted', r.reason)
      }
    }))
    const reader = await hostileMember(hub.addr, { holdProgress: true })
    try {
      await waitFor('one window of changes', () => reader.relayed.length >= CHANGED_WINDOW_FRAMES, 60000)
      await sleep(2000)
      assert.equal(reader.relayed.length, CHANGED_WINDOW_FRAMES, 'the hub sent past the window')
      await reader.progress()
      await waitFor('every change', () => reader.relayed.length === total, 60000)
      assert.equal(new Set(reader.relayed.map(c => c.entry.path)).size, total)
    } finally {
      await reader.stop()
    }
  } finally {
    await writer.stop()
    await hub.stop()
  }
})
