// `npm run bench -- --scale [--files 100000] [--dirs 11000] [--clients 1000] [--out FILE]` (issue
// 20): the big tree (initial sync, restart on the unchanged tree, one change inside it, rest) with
// Syncthing on the same tree, then many clients on one hub. With --out, the table is written there
// (docs/benchmarks-scale.md) with the machine, commit and load average it ran at.
// `--clients-only`: the many-clients part alone (a few minutes; the tree takes ~20), table printed.
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'
import { runBigTree } from './big-tree.ts'
import { syncthingBigTree } from './big-tree-syncthing.ts'
import { procSample } from '../load-sessions.ts'
import { loadSpread } from '../load-spread.ts'
import { distsyncCommit } from './machine-info.ts'

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url))
const SESSIONS_PER_PROCESS = 250

export interface ScaleOptions { files: number, dirs: number, clients: number, clientsOnly: boolean, out?: string }

export async function runScale (o: ScaleOptions, say: (line: string) => void = console.log): Promise<void> {
  if (o.clientsOnly) {
    const loadAtStart = loadavg()[0]!
    const rows = await manyClients(o.clients)
    say(`\n| ${o.clients} clients on one hub | distsync | | target |\n|---|---|---|---|\n${rows.map(r => `| ${r.join(' | ')} |`).join('\n')}`)
    say(`load average ${loadAtStart.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end`)
    return
  }
  const loadAtStart = loadavg()[0]!
  const tree = await runBigTree({ files: o.files, dirs: o.dirs, idleSeconds: 30, nice: 10, timeoutMs: 1_800_000 }, say)
  const st = await syncthingBigTree(o.files, o.dirs, 1_800_000, say)
  const rows = [
    ['initial sync', `${Math.round(tree.filesPerSecond)} files/s`, st == null ? '—' : `${Math.round(st)} files/s (${(tree.filesPerSecond / st).toFixed(2)}×)`, '≥ 2× Syncthing'],
    ['restart on the unchanged tree', `${tree.restart.caughtUpSeconds.toFixed(2)} s caught up, ${tree.restart.scannedSeconds?.toFixed(2) ?? '?'} s compared, ${tree.restart.watchingSeconds?.toFixed(2) ?? '?'} s watching (chokidar ready + a second comparison), ${tree.restart.cpuSeconds.toFixed(2)} s CPU`, '', '< 1 s'],
    ['peak RSS hub / A / B', `${tree.peakRssMb.hub} / ${tree.peakRssMb.a} / ${tree.peakRssMb.b} MB`, '', '≤ 150 MB'],
    ['one change inside the tree', `${tree.oneChangeSeconds.toFixed(2)} s`, '', ''],
    ['at rest (A / B / hub)', `${tree.idleCpuPercent.a} / ${tree.idleCpuPercent.b} / ${tree.idleCpuPercent.hub} % of a core`, '', '< 1%']
  ]
  rows.push(...await manyClients(o.clients))
  const table = [`| ${o.files} files in ${o.dirs} directories | distsync | Syncthing | target |`, '|---|---|---|---|', ...rows.map(r => `| ${r.join(' | ')} |`)].join('\n')
  say(`\n${table}`)
  if (o.out == null) return
  const root = fileURLToPath(new URL('../../..', import.meta.url))
  const when = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, distsync ${await distsyncCommit(root)}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average ${loadAtStart.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end`
  await writeFile(o.out, `# distsync at scale (issue 20)\n\n\`npm run bench -- --scale --out docs/benchmarks-scale.md\`: ${when}. A generated tree of 100 B-4 KiB files moved into client A's folder, hub + A + B as real processes on 127.0.0.1 under \`nice\`, Syncthing (two devices) on the same tree in the same run; then one hub with ${o.clients} sessions from load-generator processes (\`scripts/load-spread.ts\`), each its own peer ID and libp2p connection. Peak RSS from /proc each second; CPU from /proc.\n\n${table}\n`)
  say(`wrote ${o.out}`)
}

/** One hub, `clients` sessions from load-generator processes: connect time, idle CPU, memory per connection, one change to all. */
async function manyClients (clients: number): Promise<string[][]> {
  const hub = await startHub()
  try {
    const before = procSample(hub.pid)
    // one process's event loop lags past its sessions' ping timeouts at a few hundred sessions
    const load = await loadSpread({ hub: hub.addr, n: clients, folder: 'default', signal: AbortSignal.timeout(1_800_000), procs: Math.ceil(clients / SESSIONS_PER_PROCESS) })
    await sleep(5000)
    const connected = procSample(hub.pid)
    await sleep(60_000)
    const idle = (procSample(hub.pid).cpuSeconds - connected.cpuSeconds) / 60 * 100
    const relays: number[] = []
    for (let i = 0; i < 3; i++) relays.push(await load.relayOnce())
    await load.close()
    return [
      [`${clients} clients: all connected and caught up`, `${(load.connectMs / 1000).toFixed(1)} s (hub CPU ${((connected.cpuSeconds - before.cpuSeconds) / clients * 1000).toFixed(1)} ms per session)`, '', ''],
      [`${clients} clients: hub idle CPU`, `${idle.toFixed(1)}% of a core`, '', '< 5%'],
      [`${clients} clients: hub memory per connection`, `${Math.round((connected.rssKiB - before.rssKiB) / clients)} KiB`, '', '≤ 250 KiB'],
      [`${clients} clients: one change to all`, `${relays.map(r => Math.round(r)).join(' / ')} ms`, '', '< 2 s']
    ]
  } finally {
    await hub.stop()
  }
}

async function startHub (): Promise<{ pid: number, addr: string, stop: () => Promise<void> }> {
  const data = await mkdtemp(join(tmpdir(), 'distsync-scale-hub-'))
  const child = spawn('nice', ['-n', '10', process.execPath, CLI, 'hub', '--listen', '/ip4/127.0.0.1/tcp/0', '--data', data, '--allow-any'], { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, DISTSYNC_LOG: 'warn' } })
  let out = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  for (let i = 0; i < 300 && !out.includes('/p2p/'); i++) await sleep(100)
  if (!out.includes('/p2p/')) { child.kill('SIGKILL'); throw new Error('the hub did not start') }
  const exited = new Promise(resolve => child.on('exit', resolve))
  return {
    pid: child.pid!,
    addr: out.split('\n')[0]!.trim(),
    stop: async () => { child.kill('SIGTERM'); await Promise.race([exited, sleep(5000)]); child.kill('SIGKILL'); await rm(data, { recursive: true, force: true }) }
  }
}

export function scaleOptions (argv: string[]): ScaleOptions {
  const { values } = parseArgs({ args: argv.filter(a => a !== '--scale'), options: { files: { type: 'string', default: '100000' }, dirs: { type: 'string', default: '11000' }, clients: { type: 'string', default: '1000' }, 'clients-only': { type: 'boolean', default: false }, out: { type: 'string' } } })
  // the file holds the tree's rows too: a run of the clients alone does not rewrite it
  if (values['clients-only'] && values.out != null) throw new Error('--clients-only prints its table; --out is for the whole --scale run')
  return { files: Number(values.files), dirs: Number(values.dirs), clients: Number(values.clients), clientsOnly: values['clients-only'], ...(values.out != null ? { out: values.out } : {}) }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runScale(scaleOptions(process.argv.slice(2)))
  process.exit(0)
}
