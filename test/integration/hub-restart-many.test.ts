// A hub restarted under many clients (issue 20): they all lose it at once and dial it again
// together, and it closes the handshakes past its limits, which a client cannot tell from a
// refusal. A client that had a session keeps trying for its grace period instead of giving up
// (a third of 1,000 load sessions did, as "refused"), and spreads its dials.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { rm } from 'node:fs/promises'
import { freePort, sleep, startHub, waitFor } from './harness.ts'
import { loadClients } from '../../scripts/load-clients.ts'

process.env.DISTSYNC_LOG ??= 'warn'

test('150 sessions from one address all come back to a restarted hub', async () => {
  const port = await freePort()
  let hub = await startHub({ port })
  const dataDir = hub.dataDir
  const signal = AbortSignal.timeout(170_000)
  const load = await loadClients({ hub: hub.addr, n: 150, folder: 'default', signal })
  try {
    // killed: every connection closes in the same instant, as when a hub's machine goes down
    await hub.kill()
    // down past a few of the sessions' retries: without spread they would all come at once next
    await sleep(4000)
    hub = await startHub({ port, dataDir })
    await waitFor('every session back on the restarted hub', () => load.views().every(v => v.sessions >= 2 || v.ended != null), 60_000)
    const ended = load.views().filter(v => v.ended != null)
    assert.equal(ended.length, 0, `${ended.length} sessions gave up: ${ended[0]?.ended?.message}`)
    await load.relayOnce(60_000)
  } finally {
    await load.close()
    await hub.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
})
