// Many clients on one hub (issue 20), small: the load generator's sessions, each its own peer and
// connection from one process, all catch up and all receive one change made by one of them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { rm } from 'node:fs/promises'
import { startHub } from './harness.ts'
import { loadClients } from '../../scripts/load-clients.ts'

process.env.DISTSYNC_LOG ??= 'warn'

test('50 sessions from one process catch up and each receives one change made by another', async () => {
  const hub = await startHub()
  const signal = AbortSignal.timeout(170_000)
  const load = await loadClients({ hub: hub.addr, n: 50, folder: 'default', signal })
  try {
    assert.equal(load.sessions, 50)
    // relayOnce rejects if any of the other 49 never gets it
    await load.relayOnce(60_000)
    await load.relayOnce(60_000)
  } finally {
    await load.close()
    await hub.stop()
    await rm(hub.dataDir, { recursive: true, force: true })
  }
})
