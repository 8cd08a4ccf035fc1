// Real processes on 127.0.0.1: a `distsync hub` and `distsync client`s over real libp2p, temp
// directories, bounded polling. Every process is killed by the PID this harness started.
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, readdir, readFile, readlink, lstat, rm, mkdir } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'

export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url))

const live = new Set<ChildProcess>()
process.on('exit', () => { for (const p of live) p.kill('SIGKILL') })

export interface Proc {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  /** exit code once it exits (signal deaths read as 128+n) */
  exited: Promise<number>
  stop: () => Promise<number>
  kill: () => Promise<number>
}

/** How long a stopped process may take to exit before the harness kills it (its test then fails). */
const STOP_GRACE_MS = 30_000
const REPORT_DIR = join(tmpdir(), 'distsync-reports')

/** `launcher`: a command that runs the rest of its arguments (say, in a namespace of its own). */
export function run (args: string[], env: Record<string, string> = {}, launcher: string[] = []): Proc {
  const nodeOptions = `${process.env.NODE_OPTIONS ?? ''} --report-on-signal --report-signal=SIGUSR2 --report-directory=${REPORT_DIR}`.trim()
  const command = [...launcher, process.execPath, CLI, ...args]
  const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DISTSYNC_LOG: 'debug', NODE_OPTIONS: nodeOptions, ...env } })
  live.add(child)
  let out = ''
  let err = ''
  child.stdout!.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr!.on('data', (d: Buffer) => { err += d.toString() })
  const exited = new Promise<number>(resolve => {
    child.on('exit', (code, signal) => {
      live.delete(child)
      resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15))
    })
  })
  const end = async (sig: NodeJS.Signals): Promise<number> => {
    if (child.exitCode == null && child.signalCode == null) child.kill(sig)
    // a process that ignores SIGTERM must fail its test, not hang the suite: it writes a
    // diagnostic report (its JavaScript stack) and is killed
    const late = setTimeout(() => {
      process.stderr.write(`harness: ${args.slice(0, 2).join(' ')} (pid ${child.pid}) did not exit ${STOP_GRACE_MS} ms after ${sig}; report in ${REPORT_DIR}\n`)
      child.kill('SIGUSR2')
      setTimeout(() => { child.kill('SIGKILL') }, 2000).unref()
    }, STOP_GRACE_MS).unref()
    const code = await exited
    clearTimeout(late)
    return code
  }
  return { child, stdout: () => out, stderr: () => err, exited, stop: async () => await end('SIGTERM'), kill: async () => await end('SIGKILL') }
}

/** Polls until fn returns true; fails with `what` after timeoutMs. */
export async function waitFor (what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 15000, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await fn()) return
    await sleep(intervalMs)
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
}

export async function tempDir (label: string): Promise<string> {
  return await mkdtemp(join(tmpdir(), `distsync-${label}-`))
}

export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer()
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port
      srv.close(() => { resolve(port) })
    })
    srv.on('error', reject)
  })
}

export interface Hub extends Proc { addr: string, peerId: string, dataDir: string }

export async function startHub (opts: { dataDir?: string, port?: number, args?: string[] } = {}): Promise<Hub> {
  const dataDir = opts.dataDir ?? await tempDir('hub')
  const args = opts.args ?? ['--allow-any']
  const p = run(['hub', '--listen', `/ip4/127.0.0.1/tcp/${opts.port ?? 0}`, '--data', dataDir, ...args])
  await Promise.race([
    waitFor('the hub to print its address', () => p.stdout().includes('/p2p/'), 15000),
    p.exited.then(code => { throw new Error(`hub exited ${code}: ${p.stderr()}`) })
  ])
  const addr = p.stdout().split('\n')[0]!.trim()
  return { ...p, addr, peerId: addr.slice(addr.lastIndexOf('/') + 1), dataDir }
}

export function startClient (hub: string, dir: string, extra: string[] = []): Proc {
  // clients listen for other members on every interface by default: tests stay on loopback
  const listen = extra.includes('--listen') || extra.includes('--no-direct') ? [] : ['--listen', '/ip4/127.0.0.1/tcp/0']
  return run(['client', '--hub', hub, ...listen, ...extra, dir])
}

/** Waits until the client has said hello and caught up with the hub. */
export async function clientReady (c: Proc): Promise<void> {
  await Promise.race([
    waitFor('the client to catch up', () => c.stderr().includes('caught up with the hub'), 30000),
    c.exited.then(code => { throw new Error(`client exited ${code}: ${c.stderr()}`) })
  ])
}

/** path -> what a user sees: file content hash (+x), "dir", or "link -> target". */
export async function tree (root: string, rel = ''): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  const names = await readdir(join(root, rel)).catch(() => [] as string[])
  for (const name of names.sort()) {
    if (rel === '' && name === '.distsync') continue
    // a temp file is distsync's own, renamed into place moments later; it is no user-visible entry
    if (name.startsWith('.distsync-tmp-')) continue
    const path = rel === '' ? name : `${rel}/${name}`
    const abs = join(root, path)
    const st = await lstat(abs).catch(() => null)
    if (st == null) continue
    if (st.isDirectory()) {
      out.set(path, 'dir')
      for (const [k, v] of await tree(root, path)) out.set(k, v)
    } else if (st.isSymbolicLink()) {
      const target = await readlink(abs).catch(() => null)
      if (target != null) out.set(path, `link -> ${target}`)
    } else {
      const data = await readFile(abs).catch(() => null)
      out.set(path, data == null ? 'unreadable' : `${createHash('sha256').update(data).digest('hex')}${(st.mode & 0o100) !== 0 ? ' +x' : ''}`)
    }
  }
  return out
}

export function sameTree (a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false
  for (const [k, v] of a) if (b.get(k) !== v) return false
  return true
}

export async function converged (dirs: string[], timeoutMs = 20000): Promise<void> {
  let last: Array<Map<string, string>> = []
  try {
    await waitFor(`${dirs.length} trees to converge`, async () => {
      last = await Promise.all(dirs.map(async d => await tree(d)))
      return last.every(t => sameTree(t, last[0]!))
    }, timeoutMs, 100)
  } catch (err) {
    // only what differs from the first tree: whole listings drown the difference
    const first = last[0] ?? new Map<string, string>()
    const show = last.slice(1).map((t, i) => {
      const keys = new Set([...first.keys(), ...t.keys()])
      const diff = [...keys].filter(k => first.get(k) !== t.get(k)).map(k => `${k}: ${first.get(k) ?? '-'} / ${t.get(k) ?? '-'}`)
      return `${dirs[0]} vs ${dirs[i + 1]}: ${diff.length} differ: ${diff.slice(0, 20).join('; ')}`
    }).join('\n')
    throw new Error(`${(err as Error).message}\n${show}`)
  }
}

export interface HubStatus { headSeq: number, files: number, bytes: number, deleted: number, pending: number, chunkBytesIn: number, chunkBytesOut: number }

export async function hubStatus (dataDir: string): Promise<HubStatus> {
  const p = run(['status', '--data', dataDir])
  const code = await p.exited
  if (code !== 0) throw new Error(`status exited ${code}: ${p.stderr()}`)
  return JSON.parse(p.stdout()) as HubStatus
}

/** A hub and n clients on fresh directories, caught up; `close` stops everything it started. */
export async function cluster (n: number, hubArgs?: string[]): Promise<{ hub: Hub, dirs: string[], clients: Proc[], close: () => Promise<void> }> {
  const hub = await startHub(hubArgs != null ? { args: hubArgs } : {})
  const dirs = await Promise.all(Array.from({ length: n }, async (_, i) => await tempDir(`c${i}`)))
  const clients = dirs.map(d => startClient(hub.addr, d))
  const close = async (): Promise<void> => {
    await Promise.all(clients.map(async c => await c.stop()))
    await hub.stop()
    await Promise.all([...dirs, hub.dataDir].map(async d => await rm(d, { recursive: true, force: true })))
  }
  try {
    await Promise.all(clients.map(clientReady))
  } catch (err) {
    // the caller never gets `close`: what was started must not outlive the test
    await close()
    throw err
  }
  return { hub, dirs, clients, close }
}

export { sleep, mkdir, rm }
