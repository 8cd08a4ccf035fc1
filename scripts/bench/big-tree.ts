// The big-tree workload (issue 20), runnable alone: a generated tree of small files moved into
// client A's folder, hub + A + B as real processes on 127.0.0.1. Measures initial sync files/s,
// peak RSS per process, restart of B on the unchanged tree until caught up (and its CPU), one
// change inside the tree, and a client's CPU at rest.
//   node dist/scripts/bench/big-tree.js [--files 30000] [--dirs 3000] [--idle 30] [--nice 10]
//     [--node-args='--cpu-prof --cpu-prof-dir=/tmp/prof'] [--sync-only]
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url))

export interface BigTreeOptions {
  files: number
  dirs: number
  idleSeconds: number
  nice: number
  timeoutMs: number
  /** extra node flags for hub and clients (a profile: --cpu-prof, written when each exits) */
  nodeArgs?: string[]
  /** stop after the initial sync (and its peak RSS): a profile then covers the sync alone */
  syncOnly?: boolean
}

export interface BigTreeSync {
  files: number
  dirs: number
  syncSeconds: number
  filesPerSecond: number
  peakRssMb: { hub: number, a: number, b: number }
  /** CPU seconds of each process from its start to the end of the initial sync */
  cpuSeconds: { hub: number, a: number, b: number }
}

export interface BigTreeResult extends BigTreeSync {
  restart: { caughtUpSeconds: number, scannedSeconds: number | undefined, watchingSeconds: number | undefined, cpuSeconds: number, peakRssMb: number }
  oneChangeSeconds: number
  idleCpuPercent: { a: number, b: number, hub: number }
}

interface Proc { child: ChildProcess, err: () => string, out: () => string, exited: Promise<number> }

const live = new Set<ChildProcess>()
let stopping = false
process.on('exit', () => { for (const p of live) p.kill('SIGKILL') })
// a signal ends the process without 'exit' unless it is handled
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => { process.exit(130) })

function start (args: string[], nice: number, nodeArgs: string[] = []): Proc {
  const child = spawn('nice', ['-n', String(nice), process.execPath, ...nodeArgs, CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DISTSYNC_LOG: 'info' } })
  live.add(child)
  let err = ''
  let out = ''
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); if (err.length > 1 << 20) err = err.slice(-(1 << 19)) })
  child.stdout!.on('data', (d: Buffer) => { out += d.toString() })
  const exited = new Promise<number>(resolve => {
    child.on('exit', (code, signal) => {
      live.delete(child)
      if (!stopping) console.error(`${args[0]} (pid ${child.pid}) exited early (${code ?? signal}):\n${err.slice(-4000)}`)
      resolve(code ?? 1)
    })
  })
  return { child, err: () => err, out: () => out, exited }
}

async function waitFor (what: string, fn: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<void> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if (await fn()) return
    await sleep(everyMs)
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** nice runs exec: the child's pid is the node process (which re-execs itself in place). */
function peakRssMb (pid: number): number {
  const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Math.round(Number(m?.[1] ?? 0) / 1024)
}

function cpuSeconds (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(f[11]) + Number(f[12])) / 100
}

async function countFiles (root: string, rel = ''): Promise<number> {
  let n = 0
  const names = await readdir(join(root, rel), { withFileTypes: true }).catch(() => [])
  for (const d of names) {
    if (rel === '' && d.name === '.distsync') continue
    if (d.isDirectory()) n += await countFiles(root, rel === '' ? d.name : `${rel}/${d.name}`)
    else if (d.isFile() && !d.name.startsWith('.distsync-tmp-')) n++
  }
  return n
}

/**
 * Waits until `count()` reaches `files`. Each count walks the whole tree, so the next one waits
 * three times as long as it took (at least `everyMs`): polled every 0.5 s, the walk alone took
 * half a core of the two at 100,000 files, beside the processes it times.
 */
export async function waitForCount (what: string, count: () => Promise<number>, files: number, timeoutMs: number, everyMs = 500, check: () => Promise<void> = async () => {}): Promise<void> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const t = performance.now()
    if (await count() >= files) return
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await check()
    await sleep(Math.max(everyMs, 3 * (performance.now() - t)))
  }
}

/** `files` files of 100 B-4 KiB spread over `dirs` directories, two levels deep. */
export async function generateTree (dir: string, files: number, dirs: number): Promise<void> {
  const top = Math.max(1, Math.round(Math.sqrt(dirs)))
  const paths: string[] = []
  for (let i = 0; i < dirs; i++) paths.push(i < top ? `d${i}` : `d${i % top}/s${i}`)
  for (const p of paths) await mkdir(join(dir, p), { recursive: true })
  const pool = randomBytes(1 << 20)
  for (let i = 0; i < files; i++) {
    const size = 100 + ((i * 2654435761) >>> 0) % (4096 - 100)
    const at = (i * 7919) % (pool.length - size)
    // distinct content: the index in front of random bytes
    await writeFile(join(dir, paths[i % paths.length]!, `f${i}.dat`), Buffer.concat([Buffer.from(`${i}\n`), pool.subarray(at, at + size)]))
  }
}

export async function runBigTree (opts: BigTreeOptions & { syncOnly: true }, say?: (line: string) => void): Promise<BigTreeSync>
export async function runBigTree (opts: BigTreeOptions & { syncOnly?: false }, say?: (line: string) => void): Promise<BigTreeResult>
export async function runBigTree (opts: BigTreeOptions, say: (line: string) => void = console.log): Promise<BigTreeSync | BigTreeResult> {
  const base = await mkdtemp(join(tmpdir(), 'distsync-bigtree-'))
  const [hubDir, aDir, bDir, stage] = ['hub', 'a', 'b', 'stage'].map(n => join(base, n)) as [string, string, string, string]
  for (const d of [hubDir, aDir, bDir, stage]) await mkdir(d)
  const procs: Proc[] = []
  try {
    say(`generating ${opts.files} files in ${opts.dirs} directories`)
    await generateTree(join(stage, 'tree'), opts.files, opts.dirs)
    const hub = start(['hub', '--listen', '/ip4/127.0.0.1/tcp/0', '--data', hubDir, '--allow-any'], opts.nice, opts.nodeArgs)
    procs.push(hub)
    await waitFor('the hub address', () => hub.out().includes('/p2p/'), 30000)
    const addr = hub.out().split('\n')[0]!.trim()
    const client = (dir: string): Proc => { const p = start(['client', '--hub', addr, dir], opts.nice, opts.nodeArgs); procs.push(p); return p }
    const a = client(aDir)
    let b = client(bDir)
    await waitFor('clients to catch up', () => a.err().includes('caught up') && b.err().includes('caught up'), 60000)

    const t0 = performance.now()
    await rename(join(stage, 'tree'), join(aDir, 'tree'))
    await waitForCount('B to hold every file', async () => await countFiles(bDir), opts.files, opts.timeoutMs)
    const syncSeconds = (performance.now() - t0) / 1000
    say(`initial sync: ${syncSeconds.toFixed(1)} s, ${Math.round(opts.files / syncSeconds)} files/s`)
    await sleep(3000)
    const peak = { hub: peakRssMb(hub.child.pid!), a: peakRssMb(a.child.pid!), b: peakRssMb(b.child.pid!) }
    say(`peak RSS hub ${peak.hub} MB, A ${peak.a} MB, B ${peak.b} MB`)
    const cpu = { hub: cpuSeconds(hub.child.pid!), a: cpuSeconds(a.child.pid!), b: cpuSeconds(b.child.pid!) }
    say(`CPU since start hub ${cpu.hub.toFixed(1)} s, A ${cpu.a.toFixed(1)} s, B ${cpu.b.toFixed(1)} s: per file ${(1000 * cpu.hub / opts.files).toFixed(2)} / ${(1000 * cpu.a / opts.files).toFixed(2)} / ${(1000 * cpu.b / opts.files).toFixed(2)} ms`)
    const synced = { files: opts.files, dirs: opts.dirs, syncSeconds, filesPerSecond: opts.files / syncSeconds, peakRssMb: peak, cpuSeconds: cpu }
    if (opts.syncOnly === true) return synced

    const idle = async (): Promise<{ a: number, b: number, hub: number }> => {
      const pids = { a: a.child.pid!, b: b.child.pid!, hub: hub.child.pid! }
      const before = { a: cpuSeconds(pids.a), b: cpuSeconds(pids.b), hub: cpuSeconds(pids.hub) }
      await sleep(opts.idleSeconds * 1000)
      const pct = (k: 'a' | 'b' | 'hub'): number => Math.round((cpuSeconds(pids[k]) - before[k]) / opts.idleSeconds * 1000) / 10
      return { a: pct('a'), b: pct('b'), hub: pct('hub') }
    }

    stopping = true
    b.child.kill('SIGTERM')
    await b.exited
    stopping = false
    const t1 = performance.now()
    b = client(bDir)
    let scanned: number | undefined
    await waitFor('B to catch up after restart', () => {
      if (scanned == null && b.err().includes('startup scan done')) scanned = (performance.now() - t1) / 1000
      return b.err().includes('caught up')
    }, opts.timeoutMs, 20)
    const caughtUp = (performance.now() - t1) / 1000
    await waitFor('B startup scan', () => b.err().includes('startup scan done'), 20000, 20).then(() => { scanned ??= (performance.now() - t1) / 1000 }, () => {})
    // chokidar ready and the comparison after it (the client's "watching the folder")
    let watching: number | undefined
    await waitFor('B to watch the folder', () => b.err().includes('watching the folder'), 60000, 20).then(() => { watching = (performance.now() - t1) / 1000 }, () => {})
    const restart = { caughtUpSeconds: caughtUp, scannedSeconds: scanned, watchingSeconds: watching, cpuSeconds: cpuSeconds(b.child.pid!), peakRssMb: peakRssMb(b.child.pid!) }
    say(`restart of B: caught up in ${caughtUp.toFixed(2)} s, scan done ${scanned?.toFixed(2) ?? '(no marker)'} s, watching ${watching?.toFixed(2) ?? '(no marker)'} s, CPU ${restart.cpuSeconds.toFixed(2)} s, peak RSS ${restart.peakRssMb} MB`)
    await sleep(2000)

    const t2 = performance.now()
    const one = join('tree', 'd0', 'f0.dat')
    await writeFile(join(aDir, one), 'changed\n')
    await waitFor('the change to reach B', () => { try { return readFileSync(join(bDir, one), 'utf8') === 'changed\n' } catch { return false } }, 60000, 20)
    const oneChangeSeconds = (performance.now() - t2) / 1000
    say(`one change inside the tree: ${oneChangeSeconds.toFixed(2)} s`)
    await sleep(3000)

    const idleCpuPercent = await idle()
    say(`at rest for ${opts.idleSeconds} s: A ${idleCpuPercent.a}%, B ${idleCpuPercent.b}%, hub ${idleCpuPercent.hub}% of a core`)
    for (const p of procs) if (p.child.exitCode == null) say(`final peak RSS pid ${p.child.pid}: ${peakRssMb(p.child.pid!)} MB`)
    return { ...synced, restart, oneChangeSeconds, idleCpuPercent }
  } finally {
    stopping = true
    for (const p of procs) if (p.child.exitCode == null) { p.child.kill('SIGTERM'); await Promise.race([p.exited, sleep(5000)]); p.child.kill('SIGKILL') }
    await rm(base, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { files: { type: 'string', default: '30000' }, dirs: { type: 'string', default: '3000' }, idle: { type: 'string', default: '30' }, nice: { type: 'string', default: '10' }, 'node-args': { type: 'string', default: '' }, 'sync-only': { type: 'boolean', default: false } } })
  const nodeArgs = values['node-args'].split(' ').filter(a => a !== '')
  const common = { files: Number(values.files), dirs: Number(values.dirs), idleSeconds: Number(values.idle), nice: Number(values.nice), timeoutMs: 900_000, nodeArgs }
  const result = values['sync-only'] ? await runBigTree({ ...common, syncOnly: true }) : await runBigTree(common)
  console.log(JSON.stringify(result))
}
