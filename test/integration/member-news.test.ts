// Members news (issue 20): every session learns who is online in its folder from the whole list
// once and then only joins and leaves. The whole list on every join and leave made each join cost
// members² bytes, and a hub with ~700 sessions spent so long sending lists that sessions timed out.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { rm } from 'node:fs/promises'
import { startHub, waitFor } from './harness.ts'
import { loadClients, type LoadClients } from '../../scripts/load-clients.ts'

process.env.DISTSYNC_LOG ??= 'warn'

/** Each session of `load` sees exactly `online` as the folder's members. */
function seeExactly (load: LoadClients, online: Set<string>): boolean {
  return load.views().every(v => v.members.size === online.size && [...online].every(p => v.members.has(p)))
}

test('sessions learn joins and leaves as news: right list, each member named a few times, not once per join', async () => {
  const hub = await startHub()
  const signal = AbortSignal.timeout(170_000)
  const stay = await loadClients({ hub: hub.addr, n: 40, folder: 'default', signal })
  let passing: LoadClients | undefined
  try {
    passing = await loadClients({ hub: hub.addr, n: 20, folder: 'default', signal })
    const all = new Set([...stay.views(), ...passing.views()].map(v => v.peer))
    await waitFor('every session lists all 60 members', () => seeExactly(stay, all) && seeExactly(passing!, all), 60_000)
    await passing.close()
    passing = undefined
    const staying = new Set(stay.views().map(v => v.peer))
    await waitFor('the 40 that stayed list only themselves', () => seeExactly(stay, staying), 60_000)
    // 60 members came and 20 went: news names each a few times at most (the whole list on every
    // join and leave named ~2,800 to the first session)
    const most = Math.max(...stay.views().map(v => v.named))
    assert.ok(most <= 3 * 80, `a session was told of members ${most} times`)
  } finally {
    await passing?.close()
    await stay.close()
    await hub.stop()
    await rm(hub.dataDir, { recursive: true, force: true })
  }
})
