// Random filesystem operations against a real hub and two real clients (issue 16): create,
// write, truncate, append, rename, mkdir, rmdir, rm -r, chmod, symlink and kind changes, on both
// clients, in bursts and slowly; then quiescence, and the two trees must be identical (content,
// kind, exec bit, symlink target).
//
//   node dist/scripts/fs-fuzz.js [--seed N] [--ops N] [--keep]
//
// Replayable: the sequence of operations tried (client, kind, paths, bytes, pauses) comes from
// the seed alone, never from what is on disk; what each one finds there depends on timing, as
// with any real user, and an operation that cannot run (ENOENT, EEXIST...) is a no-op.
import { appendFile, chmod, lstat, mkdir, rename, rm, rmdir, symlink, truncate, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'
import { pathToFileURL } from 'node:url'
import { Prng } from './bench/prng.ts'
import { clientReady, converged, startClient, startHub, tempDir, type Proc } from '../test/integration/harness.ts'

export type OpKind = 'write' | 'append' | 'truncate' | 'unlink' | 'mkdir' | 'rmdir' | 'rm-r' | 'rename' | 'chmod' | 'symlink' | 'to-dir' | 'to-file'

export interface Op { client: number, kind: OpKind, path: string, to: string, size: number, byte: number, pause: number }

const WEIGHTS: Array<[OpKind, number]> = [
  ['write', 24], ['append', 8], ['truncate', 4], ['unlink', 8], ['mkdir', 10], ['rmdir', 3], ['rm-r', 3],
  ['rename', 10], ['chmod', 6], ['symlink', 5], ['to-dir', 4], ['to-file', 4]
]
const TOTAL = WEIGHTS.reduce((n, [, w]) => n + w, 0)
const DIRS = ['a', 'b', 'c']
const NAMES = ['a', 'b', 'c', 'f0', 'f1', 'f2', 'g.txt', 'run.sh']

/** The operations for a seed: a pure function of it. */
export function * operations (seed: number, count: number): Generator<Op> {
  const rng = new Prng(seed, 'fs-fuzz')
  const below = (n: number): number => Math.floor(rng.next() * n)
  const path = (): string => {
    const depth = below(3)
    const parts = Array.from({ length: depth }, () => DIRS[below(DIRS.length)]!)
    return [...parts, NAMES[below(NAMES.length)]!].join('/')
  }
  // bursts of back-to-back operations, then a pause
  let burst = 0
  for (let i = 0; i < count; i++) {
    let pick = below(TOTAL)
    let kind: OpKind = 'write'
    for (const [k, w] of WEIGHTS) {
      if (pick < w) { kind = k; break }
      pick -= w
    }
    const big = below(20) === 0
    const size = big ? 64 * 1024 + below(200 * 1024) : below(3000)
    if (burst === 0) burst = below(3) === 0 ? 1 + below(30) : 1
    burst--
    const pause = burst > 0 ? 0 : below(4) === 0 ? 100 + below(400) : below(20)
    yield { client: below(2), kind, path: path(), to: path(), size, byte: below(256), pause }
  }
}

const ignorable = new Set(['ENOENT', 'EEXIST', 'ENOTDIR', 'EISDIR', 'ENOTEMPTY', 'EINVAL', 'ELOOP'])

async function kindAt (abs: string): Promise<'file' | 'dir' | 'link' | null> {
  const st = await lstat(abs).catch(() => null)
  return st == null ? null : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : 'file'
}

/** Runs one operation in `root`; false if the disk did not allow it. Never follows a symlink
 * on purpose, but a path through one a peer made is still a path a user might write to. */
export async function perform (root: string, op: Op): Promise<boolean> {
  const abs = join(root, op.path)
  const data = (): Buffer => Buffer.alloc(op.size, op.byte)
  try {
    // never into the state folder, never through a link (that is the user writing elsewhere)
    for (let d = op.path; d.includes('/');) {
      d = d.slice(0, d.lastIndexOf('/'))
      if (await kindAt(join(root, d)) === 'link') return false
    }
    switch (op.kind) {
      case 'write':
        if (op.byte % 2 === 0) await mkdir(join(abs, '..'), { recursive: true })
        if (await kindAt(abs) === 'link') return false
        await writeFile(abs, data())
        return true
      case 'append':
        if (await kindAt(abs) !== 'file') return false
        await appendFile(abs, data().subarray(0, 1 + (op.size % 500)))
        return true
      case 'truncate':
        if (await kindAt(abs) !== 'file') return false
        await truncate(abs, op.size % 1000)
        return true
      case 'unlink': await unlink(abs); return true
      case 'mkdir': await mkdir(abs, { recursive: true }); return true
      case 'rmdir': await rmdir(abs); return true
      case 'rm-r': await rm(abs, { recursive: true }); return true
      case 'rename':
        if (op.to === op.path || op.to.startsWith(`${op.path}/`)) return false
        for (let d = op.to; d.includes('/');) {
          d = d.slice(0, d.lastIndexOf('/'))
          if (await kindAt(join(root, d)) === 'link') return false
        }
        await rename(abs, join(root, op.to))
        return true
      case 'chmod':
        if (await kindAt(abs) !== 'file') return false
        await chmod(abs, op.byte % 2 === 0 ? 0o755 : 0o644)
        return true
      case 'symlink':
        // targets are names, some dangling, some "outside": synced as links, never followed
        await symlink(op.byte % 4 === 0 ? '../outside' : op.byte % 4 === 1 ? NAMES[op.byte % NAMES.length]! : `t${op.byte}`, abs)
        return true
      case 'to-dir': {
        const k = await kindAt(abs)
        if (k !== 'file' && k !== 'link') return false
        await unlink(abs)
        await mkdir(abs)
        await writeFile(join(abs, 'f0'), data())
        return true
      }
      case 'to-file': {
        const k = await kindAt(abs)
        if (k !== 'dir' && k !== 'link') return false
        await rm(abs, { recursive: true })
        await writeFile(abs, data())
        return true
      }
    }
  } catch (err) {
    if (ignorable.has((err as NodeJS.ErrnoException).code ?? '')) return false
    throw err
  }
}

export interface FuzzResult { seed: number, ops: number, performed: number, convergeMs: number, ok: boolean, error?: string }

/** One run: a hub, two clients, `count` operations, quiescence, comparison. */
export async function fuzz (seed: number, count: number, opts: { keep?: boolean, logDir?: string, log?: (s: string) => void } = {}): Promise<FuzzResult> {
  const log = opts.log ?? (() => {})
  const hub = await startHub()
  const dirs = await Promise.all([tempDir('fuzz-a'), tempDir('fuzz-b')])
  const clients: Proc[] = dirs.map(d => startClient(hub.addr, d))
  let performed = 0
  const done: string[] = []
  try {
    await Promise.all(clients.map(clientReady))
    let i = 0
    for (const op of operations(seed, count)) {
      if (await perform(dirs[op.client]!, op)) {
        performed++
        done.push(`${Date.now()} #${i} ${'ab'[op.client]!} ${op.kind} ${op.path}${op.kind === 'rename' ? ` -> ${op.to}` : ''}`)
      }
      if (op.pause > 0) await sleep(op.pause)
      if (++i % 1000 === 0) log(`seed ${seed}: ${i}/${count} operations (${performed} performed)`)
      for (const c of clients) if (c.child.exitCode != null) throw new Error(`a client exited ${c.child.exitCode}: ${c.stderr().slice(-2000)}`)
    }
    const t0 = Date.now()
    await converged(dirs, Number(process.env.DISTSYNC_FUZZ_CONVERGE_MS ?? 120_000))
    return { seed, ops: count, performed, convergeMs: Date.now() - t0, ok: true }
  } catch (err) {
    // is each client still watching and syncing? (a probe file each way)
    await Promise.all(dirs.map(async (d, i) => { await writeFile(join(d, `probe-${i}`), 'probe') }))
    await sleep(10_000)
    const probes = await Promise.all(dirs.map(async (d, i) => await kindAt(join(dirs[1 - i]!, `probe-${i}`))))
    log(`probes arrived: ${probes.map(k => k === 'file').join(', ')}`)
    if (opts.logDir != null) {
      const names = ['a', 'b']
      await Promise.all(clients.map(async (c, i) => { await writeFile(join(opts.logDir!, `fuzz-${seed}-${names[i]!}.log`), c.stderr()) }))
      await writeFile(join(opts.logDir, `fuzz-${seed}-hub.log`), hub.stderr())
      await writeFile(join(opts.logDir, `fuzz-${seed}-ops.log`), done.join('\n') + '\n')
      log(`logs in ${opts.logDir}/fuzz-${seed}-*.log`)
    }
    return { seed, ops: count, performed, convergeMs: -1, ok: false, error: (err as Error).message }
  } finally {
    await Promise.all(clients.map(async c => await c.stop()))
    await hub.stop()
    if (opts.keep !== true) await Promise.all([...dirs, hub.dataDir].map(async d => await rm(d, { recursive: true, force: true })))
    else log(`kept ${dirs.join(' ')} ${hub.dataDir}`)
  }
}

async function main (): Promise<void> {
  const { values } = parseArgs({ options: { seed: { type: 'string' }, ops: { type: 'string', default: '1000' }, runs: { type: 'string', default: '1' }, keep: { type: 'boolean', default: false }, logs: { type: 'string' } } })
  const first = values.seed != null ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31)
  let failed = 0
  for (let r = 0; r < Number(values.runs); r++) {
    const seed = first + r
    console.log(`fs-fuzz: seed ${seed}, ${values.ops} operations`)
    const res = await fuzz(seed, Number(values.ops), { keep: values.keep, ...(values.logs != null ? { logDir: values.logs } : {}), log: s => { console.log(s) } })
    console.log(JSON.stringify(res))
    if (!res.ok) failed++
  }
  process.exitCode = failed > 0 ? 1 : 0
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
