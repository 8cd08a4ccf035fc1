// Many clients against one hub, from one process (issue 20): N sessions, each its own libp2p node
// with its own peer ID and a real connection, speaking the client's own sync channel (HubMonitor).
// Measures how long the sessions take to connect, the hub's memory per connection and idle CPU (when
// given its PID), and the time for one change to reach every other session.
//   node dist/scripts/load-clients.js --hub <multiaddr> [--n 1000] [--folder default] [--hub-pid PID] [--idle 30] [--rounds 3] [--ping-ms 5000]
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createNode } from '../src/net/node.ts'
import { HubMonitor } from '../src/client/hub-monitor.ts'
import { parseHubAddress } from '../src/client/hub-link.ts'
import { ChunkList } from '../src/chunk/chunk-list.ts'
import { DEFAULT_FOLDER } from '../src/protocol/folder-name.ts'
import type { Libp2p } from 'libp2p'
import type { Entry } from '../src/index/entry.ts'

/** Handshakes in flight at once: the hub admits 256 pending connections. */
const CONNECT_CONCURRENCY = 16

export interface LoadOptions {
  hub: string
  n: number
  folder: string
  signal: AbortSignal
  /** each session's ping interval (the client's own: 5000) */
  pingIntervalMs?: number
}

interface Session { node: Libp2p, monitor: HubMonitor, caughtUp: Promise<void> }

export interface LoadClients {
  sessions: number
  /** ms until every session was caught up */
  connectMs: number
  /** proposes one change from the first session; resolves with the ms until every other session had it */
  relayOnce: (timeoutMs?: number) => Promise<number>
  close: () => Promise<void>
}

export async function loadClients (opts: LoadOptions): Promise<LoadClients> {
  const hub = parseHubAddress(opts.hub)
  const abort = new AbortController()
  opts.signal.addEventListener('abort', () => { abort.abort() }, { once: true })
  const waiting = new Map<string, { left: number, done: PromiseWithResolvers<void> }>()
  const sessions: Session[] = []
  const started = performance.now()
  const open = async (): Promise<Session> => {
    const node = await createNode({ privateKey: await generateKeyPair('Ed25519'), pingIntervalMs: opts.pingIntervalMs ?? 5000 })
    await node.start()
    const monitor = new HubMonitor({ node, hub, folder: opts.folder, graceMs: 30_000, signal: abort.signal })
    const caughtUp = Promise.withResolvers<void>()
    await monitor.connect()
    void monitor.run({
      opening: () => ({
        sinceSeq: Number.MAX_SAFE_INTEGER,
        handlers: {
          changed: c => {
            const w = waiting.get(c.entry.path)
            if (w != null && --w.left === 0) w.done.resolve()
          },
          caughtUp: () => { caughtUp.resolve() },
          invalid: () => {}
        }
      }),
      opened: () => () => {}
    }).catch(err => { if (!abort.signal.aborted) caughtUp.reject(err as Error) })
    return { node, monitor, caughtUp: caughtUp.promise }
  }
  try {
    for (let i = 0; i < opts.n; i += CONNECT_CONCURRENCY) {
      opts.signal.throwIfAborted()
      const batch = await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, opts.n - i) }, open))
      sessions.push(...batch)
      await Promise.all(batch.map(async s => await s.caughtUp))
    }
  } catch (err) {
    await closeAll(sessions, abort)
    throw err
  }
  const connectMs = performance.now() - started
  let round = 0
  return {
    sessions: sessions.length,
    connectMs,
    relayOnce: async (timeoutMs = 60_000) => {
      const path = `load-probe-${process.pid}-${Date.now()}-${round++}`
      const done = Promise.withResolvers<void>()
      waiting.set(path, { left: sessions.length - 1, done })
      const entry: Entry = { path, kind: 'dir', size: 0, mtimeNs: BigInt(Date.now()) * 1_000_000n, exec: false, deleted: false, hash: new Uint8Array(0), chunks: ChunkList.EMPTY, target: '' }
      const t = performance.now()
      const result = await sessions[0]!.monitor.channel!.propose(entry, 0)
      if (result.outcome !== 'accepted') throw new Error(`the hub did not accept the probe: ${result.outcome}`)
      if (sessions.length > 1) {
        const timer = setTimeout(() => { done.reject(new Error(`relay: ${waiting.get(path)?.left} of ${sessions.length - 1} sessions still without the change after ${timeoutMs} ms`)) }, timeoutMs)
        try { await done.promise } finally { clearTimeout(timer); waiting.delete(path) }
      }
      return performance.now() - t
    },
    close: async () => { await closeAll(sessions, abort) }
  }
}

async function closeAll (sessions: Session[], abort: AbortController): Promise<void> {
  abort.abort()
  for (const s of sessions) s.monitor.close()
  await Promise.all(sessions.map(async s => await Promise.race([s.node.stop(), sleep(5000)]).catch(() => {})))
}

/** VmRSS and CPU seconds of a process (Linux /proc). */
export function procSample (pid: number): { rssKiB: number, cpuSeconds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return { rssKiB: Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0), cpuSeconds: (Number(f[11]) + Number(f[12])) / 100 }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { hub: { type: 'string' }, n: { type: 'string', default: '1000' }, folder: { type: 'string', default: DEFAULT_FOLDER }, 'hub-pid': { type: 'string' }, idle: { type: 'string', default: '30' }, rounds: { type: 'string', default: '3' }, 'ping-ms': { type: 'string', default: '5000' } } })
  if (values.hub == null) throw new Error('--hub <multiaddr> is required')
  process.env.DISTSYNC_LOG ??= 'warn'
  const hubPid = values['hub-pid'] == null ? undefined : Number(values['hub-pid'])
  const before = hubPid == null ? undefined : procSample(hubPid)
  const load = await loadClients({ hub: values.hub, n: Number(values.n), folder: values.folder, signal: new AbortController().signal, pingIntervalMs: Number(values['ping-ms']) })
  console.log(`${load.sessions} sessions caught up in ${(load.connectMs / 1000).toFixed(1)} s`)
  await sleep(5000)
  if (hubPid != null && before != null) {
    const connected = procSample(hubPid)
    console.log(`hub RSS ${Math.round(before.rssKiB / 1024)} -> ${Math.round(connected.rssKiB / 1024)} MB: ${Math.round((connected.rssKiB - before.rssKiB) / load.sessions)} KiB per connection`)
    const idleS = Number(values.idle)
    await sleep(idleS * 1000)
    console.log(`hub idle CPU with ${load.sessions} sessions: ${((procSample(hubPid).cpuSeconds - connected.cpuSeconds) / idleS * 100).toFixed(1)}% of a core over ${idleS} s`)
  }
  for (let r = 0; r < Number(values.rounds); r++) console.log(`one change to all ${load.sessions - 1} others: ${Math.round(await load.relayOnce())} ms`)
  await load.close()
  process.exit(0)
}
