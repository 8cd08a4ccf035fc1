// Many clients against one hub, from one process (issue 20): N sessions, each its own libp2p node
// with its own peer ID and a real connection, speaking the client's own sync channel (HubMonitor).
// Measures how long the sessions take to connect, the hub's memory per connection and idle CPU (when
// given its PID), and the time for one change to reach every other session.
//   node dist/scripts/load-clients.js --hub <multiaddr> [--n 1000] [--procs 4] [--folder default] [--hub-pid PID] [--idle 30] [--hold 0] [--rounds 3] [--ping-ms 10000] [--ping-timeout-ms 5000]
// (--procs: sessions spread over that many processes, scripts/load-spread.ts; --hold: seconds to
// wait before the relay rounds, e.g. while the hub is restarted)
import { parseArgs } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'
import { DEFAULT_FOLDER } from '../src/protocol/folder-name.ts'
import { CLIENT_PING_INTERVAL_MS, procSample } from './load-sessions.ts'
import { loadSpread } from './load-spread.ts'

export { loadClients, procSample, type LoadClients, type LoadOptions } from './load-sessions.ts'
export { loadSpread } from './load-spread.ts'

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { hub: { type: 'string' }, n: { type: 'string', default: '1000' }, folder: { type: 'string', default: DEFAULT_FOLDER }, 'hub-pid': { type: 'string' }, idle: { type: 'string', default: '30' }, rounds: { type: 'string', default: '3' }, hold: { type: 'string', default: '0' }, 'ping-ms': { type: 'string', default: String(CLIENT_PING_INTERVAL_MS) }, 'ping-timeout-ms': { type: 'string', default: '5000' }, procs: { type: 'string', default: '1' } } })
  if (values.hub == null) throw new Error('--hub <multiaddr> is required')
  process.env.DISTSYNC_LOG ??= 'warn'
  const hubPid = values['hub-pid'] == null ? undefined : Number(values['hub-pid'])
  const before = hubPid == null ? undefined : procSample(hubPid)
  const load = await loadSpread({ hub: values.hub, n: Number(values.n), folder: values.folder, signal: new AbortController().signal, pingIntervalMs: Number(values['ping-ms']), pingTimeoutMs: Number(values['ping-timeout-ms']), procs: Number(values.procs) })
  console.log(`${load.sessions} sessions caught up in ${(load.connectMs / 1000).toFixed(1)} s`)
  await sleep(5000)
  if (hubPid != null && before != null) {
    const connected = procSample(hubPid)
    console.log(`hub RSS ${Math.round(before.rssKiB / 1024)} -> ${Math.round(connected.rssKiB / 1024)} MB: ${Math.round((connected.rssKiB - before.rssKiB) / load.sessions)} KiB per connection; hub CPU while they connected ${(connected.cpuSeconds - before.cpuSeconds).toFixed(1)} s, ${((connected.cpuSeconds - before.cpuSeconds) / load.sessions * 1000).toFixed(1)} ms per session`)
    const idleS = Number(values.idle)
    await sleep(idleS * 1000)
    const after = procSample(hubPid)
    console.log(`hub idle CPU with ${load.sessions} sessions: ${((after.cpuSeconds - connected.cpuSeconds) / idleS * 100).toFixed(1)}% of a core over ${idleS} s; RSS ${Math.round(after.rssKiB / 1024)} MB`)
  }
  await sleep(Number(values.hold) * 1000)
  for (let r = 0; r < Number(values.rounds); r++) console.log(`one change to all ${load.sessions - 1} others: ${Math.round(await load.relayOnce())} ms`)
  await load.close()
  process.exit(0)
}
