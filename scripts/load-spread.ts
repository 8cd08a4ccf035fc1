// The load generator spread over several processes (issue 20): one process's event loop lags past
// its sessions' ping timeouts at a few hundred sessions on this machine, so N sessions are held by
// this process and `procs - 1` forked workers, coordinated over IPC. Same interface as loadClients.
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'
import { CLIENT_PING_INTERVAL_MS, loadClients, probePath, type LoadClients, type LoadOptions } from './load-sessions.ts'

type ToWorker = { type: 'watch', path: string, timeoutMs: number } | { type: 'close' }
type FromWorker = { type: 'ready', sessions: number } | { type: 'failed', err: string } | { type: 'watching', path: string } | { type: 'got', path: string } | { type: 'missed', path: string, err: string }

interface Worker { child: ChildProcess, sessions: number, next: (pred: (m: FromWorker) => boolean) => Promise<FromWorker> }

function startWorker (opts: LoadOptions, n: number): Promise<Worker> {
  const args = ['--worker', '--hub', opts.hub, '--n', String(n), '--folder', opts.folder, '--ping-ms', String(opts.pingIntervalMs ?? CLIENT_PING_INTERVAL_MS), '--ping-timeout-ms', String(opts.pingTimeoutMs ?? 5000)]
  const child = fork(fileURLToPath(import.meta.url), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, DISTSYNC_LOG: 'warn' } })
  const inbox: FromWorker[] = []
  const wakers = new Set<() => void>()
  child.on('message', (m: FromWorker) => { inbox.push(m); for (const w of wakers) w() })
  child.on('exit', () => { for (const w of wakers) w() })
  const next = async (pred: (m: FromWorker) => boolean): Promise<FromWorker> => {
    for (;;) {
      const i = inbox.findIndex(m => pred(m) || m.type === 'failed' || m.type === 'missed')
      if (i >= 0) {
        const m = inbox.splice(i, 1)[0]!
        if (m.type === 'failed' || m.type === 'missed') throw new Error(`load worker ${child.pid}: ${m.err}`)
        return m
      }
      if (child.exitCode != null || child.signalCode != null) throw new Error(`load worker ${child.pid} exited`)
      await new Promise<void>(resolve => { const w = (): void => { wakers.delete(w); resolve() }; wakers.add(w) })
    }
  }
  return next(m => m.type === 'ready').then(m => ({ child, sessions: (m as { sessions: number }).sessions, next }))
}

/** `n` sessions over `procs` processes (this one included); `procs` 1 is loadClients itself. */
export async function loadSpread (opts: LoadOptions & { procs: number }): Promise<LoadClients> {
  if (opts.procs <= 1) return await loadClients(opts)
  const started = performance.now()
  const share = Math.ceil(opts.n / opts.procs)
  const workers: Worker[] = []
  const stopWorkers = async (): Promise<void> => {
    for (const w of workers) w.child.send({ type: 'close' } satisfies ToWorker)
    await Promise.all(workers.map(async w => await Promise.race([new Promise(resolve => w.child.once('exit', resolve)), sleep(15_000)])))
    for (const w of workers) if (w.child.exitCode == null) w.child.kill('SIGKILL')
  }
  // workers connect one after another: a hub admits a bounded number of handshakes at once
  let own: LoadClients
  try {
    for (let left = opts.n - share; left > 0; left -= share) workers.push(await startWorker(opts, Math.min(share, left)))
    own = await loadClients({ ...opts, n: share })
  } catch (err) {
    await stopWorkers()
    throw err
  }
  const total = own.sessions + workers.reduce((a, w) => a + w.sessions, 0)
  return {
    sessions: total,
    connectMs: performance.now() - started,
    watch: own.watch,
    propose: own.propose,
    views: own.views,
    relayOnce: async (timeoutMs = 60_000) => {
      const path = probePath()
      for (const w of workers) w.child.send({ type: 'watch', path, timeoutMs } satisfies ToWorker)
      await Promise.all(workers.map(async w => await w.next(m => m.type === 'watching' && m.path === path)))
      const arrived = [own.watch(path, own.sessions - 1, timeoutMs), ...workers.map(async w => { await w.next(m => m.type === 'got' && m.path === path) })]
      const t = performance.now()
      try { await own.propose(path) } catch (err) { for (const a of arrived) a.catch(() => {}); throw err }
      await Promise.all(arrived)
      return performance.now() - t
    },
    close: async () => { await Promise.all([own.close(), stopWorkers()]) }
  }
}

async function worker (): Promise<void> {
  const { values } = parseArgs({ options: { worker: { type: 'boolean' }, hub: { type: 'string' }, n: { type: 'string' }, folder: { type: 'string' }, 'ping-ms': { type: 'string' }, 'ping-timeout-ms': { type: 'string' } } })
  const send = (m: FromWorker): void => { process.send!(m) }
  let load: LoadClients
  try {
    load = await loadClients({ hub: values.hub!, n: Number(values.n), folder: values.folder!, signal: new AbortController().signal, pingIntervalMs: Number(values['ping-ms']), pingTimeoutMs: Number(values['ping-timeout-ms']) })
  } catch (err) {
    send({ type: 'failed', err: (err as Error).message })
    process.exit(1)
  }
  process.on('disconnect', () => { process.exit(0) })
  process.on('message', (m: ToWorker) => {
    if (m.type === 'close') {
      void load.close().finally(() => process.exit(0))
      return
    }
    const arrived = load.watch(m.path, load.sessions, m.timeoutMs)
    send({ type: 'watching', path: m.path })
    arrived.then(() => { send({ type: 'got', path: m.path }) }, (err: Error) => { send({ type: 'missed', path: m.path, err: err.message }) })
  })
  send({ type: 'ready', sessions: load.sessions })
}

if (import.meta.url === `file://${process.argv[1]}` && process.argv.includes('--worker')) await worker()
