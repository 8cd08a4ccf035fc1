// Many clients against one hub, from one process (issue 20): N sessions, each its own libp2p node
// with its own peer ID and a real connection, speaking the client's own sync channel (HubMonitor).
// `scripts/load-clients.ts` is the command; `scripts/load-spread.ts` spreads sessions over processes.
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createNode } from '../src/net/node.ts'
import { HubMonitor } from '../src/client/hub-monitor.ts'
import { parseHubAddress } from '../src/client/hub-link.ts'
import { ChunkList } from '../src/chunk/chunk-list.ts'
import type { Libp2p } from 'libp2p'
import type { Entry } from '../src/index/entry.ts'

/** Handshakes in flight at once: the hub admits 256 pending connections. */
const CONNECT_CONCURRENCY = 16
const CONNECT_ATTEMPTS = 8
/** A client pings its hub every 10 s (client-service.ts): the hub's idle CPU is mostly answering
 * those pings, so a generator pinging more often measures a busier hub than real clients make. */
export const CLIENT_PING_INTERVAL_MS = 10_000

export interface LoadOptions {
  hub: string
  n: number
  folder: string
  signal: AbortSignal
  /** each session's ping interval (default the client's own) */
  pingIntervalMs?: number
  /** each session's ping timeout: sessions sharing one event loop answer late under load */
  pingTimeoutMs?: number
}

interface Session { node: Libp2p, monitor: HubMonitor, caughtUp: Promise<void>, view: MemberView }

/** A session's picture of the folder's online members, from the hub's Members news. */
export interface MemberView {
  peer: string
  members: Set<string>
  /** members named in the news so far (joined and left) */
  named: number
  /** sessions the hub has started with it (each begins with the whole list): 2 after one reconnect */
  sessions: number
  /** why the session gave up on the hub, if it did */
  ended?: Error
}

export interface LoadClients {
  sessions: number
  /** ms until every session was caught up */
  connectMs: number
  /** proposes one change from the first session; resolves with the ms until every other session had it */
  relayOnce: (timeoutMs?: number) => Promise<number>
  /** resolves when `count` of these sessions have received a change to `path` */
  watch: (path: string, count: number, timeoutMs: number) => Promise<void>
  /** proposes a directory `path` from the first session */
  propose: (path: string) => Promise<void>
  /** each session of this process: its peer ID and the members the hub told it of */
  views: () => MemberView[]
  close: () => Promise<void>
}

/** A path no other run of the generator proposes. */
export function probePath (): string { return `load-probe-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}` }

export async function loadClients (opts: LoadOptions): Promise<LoadClients> {
  const hub = parseHubAddress(opts.hub)
  const abort = new AbortController()
  opts.signal.addEventListener('abort', () => { abort.abort() }, { once: true })
  const waiting = new Map<string, { left: number, done: PromiseWithResolvers<void> }>()
  const sessions: Session[] = []
  const started = performance.now()
  const open = async (): Promise<Session> => {
    const node = await createNode({ privateKey: await generateKeyPair('Ed25519'), pingIntervalMs: opts.pingIntervalMs ?? CLIENT_PING_INTERVAL_MS, pingTimeoutMs: opts.pingTimeoutMs ?? 5000 })
    await node.start()
    // the client's default grace (client.hubGraceSeconds)
    const monitor = new HubMonitor({ node, hub, folder: opts.folder, graceMs: 60_000, signal: abort.signal })
    const caughtUp = Promise.withResolvers<void>()
    const view: MemberView = { peer: node.peerId.toString(), members: new Set(), named: 0, sessions: 0 }
    // the hub admits CONNECTIONS_PER_SECOND_PER_ADDRESS new connections a second from one address:
    // a refusal past it is waited out, as a real client's reconnect would
    for (let attempt = 1; ; attempt++) {
      try {
        await monitor.connect()
        break
      } catch (err) {
        if (attempt >= CONNECT_ATTEMPTS || abort.signal.aborted) { await node.stop(); throw err }
        await sleep(500 * attempt, undefined, { signal: abort.signal })
      }
    }
    void monitor.run({
      opening: () => ({
        sinceSeq: Number.MAX_SAFE_INTEGER,
        handlers: {
          changed: (c, done) => {
            done()
            const w = waiting.get(c.entry.path)
            if (w != null && --w.left === 0) w.done.resolve()
          },
          caughtUp: () => { caughtUp.resolve() },
          invalid: () => {},
          members: update => {
            if (update.reset) {
              view.members.clear()
              view.sessions++
            }
            for (const peer of update.left) view.members.delete(peer)
            for (const m of update.joined) view.members.add(m.peer)
            view.named += update.joined.length + update.left.length
          }
        }
      }),
      opened: () => () => {}
    }).catch(err => {
      if (abort.signal.aborted) return
      // a session that gives up on the hub says why (a run that loses sessions is read from these)
      view.ended = err as Error
      console.error(`load session ${view.peer} ended: ${(err as Error).name}: ${(err as Error).message}`)
      caughtUp.reject(err as Error)
    })
    return { node, monitor, caughtUp: caughtUp.promise, view }
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
  const watch = async (path: string, count: number, timeoutMs: number): Promise<void> => {
    if (count <= 0) return
    const done = Promise.withResolvers<void>()
    waiting.set(path, { left: count, done })
    const timer = setTimeout(() => { done.reject(new Error(`relay: ${waiting.get(path)?.left} of ${count} sessions still without the change after ${timeoutMs} ms`)) }, timeoutMs)
    try { await done.promise } finally { clearTimeout(timer); waiting.delete(path) }
  }
  const propose = async (path: string): Promise<void> => {
    const entry: Entry = { path, kind: 'dir', size: 0, mtimeNs: BigInt(Date.now()) * 1_000_000n, exec: false, deleted: false, hash: new Uint8Array(0), chunks: ChunkList.EMPTY, target: '' }
    const result = await sessions[0]!.monitor.channel!.propose(entry, 0)
    if (result.outcome !== 'accepted') throw new Error(`the hub did not accept the probe: ${result.outcome}`)
  }
  return {
    sessions: sessions.length,
    connectMs,
    relayOnce: async (timeoutMs = 60_000) => {
      const path = probePath()
      const arrived = watch(path, sessions.length - 1, timeoutMs)
      const t = performance.now()
      try { await propose(path) } catch (err) { arrived.catch(() => {}); throw err }
      await arrived
      return performance.now() - t
    },
    watch,
    propose,
    views: () => sessions.map(s => s.view),
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
