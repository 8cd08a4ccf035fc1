// Watching the tree: a change anywhere below the root is reported, including in directories made
// after the start; past the kernel's watch limit, one line says so with the fix and the directories
// that could not be watched are rescanned instead of missed.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync, spawn } from 'node:child_process'
import { mkdtemp, mkdir, rm, writeFile, rename } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { TreeMonitor } from '../../src/client/tree-monitor.ts'
import type { IndexStatRecord } from '../../src/reconcile/client-decide.ts'

const noIndex = { children: () => new Map<string, IndexStatRecord>() }

async function until (what: string, fn: () => boolean, ms = 20000): Promise<void> {
  const end = Date.now() + ms
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

describe('TreeMonitor', () => {
  test('reports changes in directories that existed at the scan and in ones made, moved in or renamed later', async () => {
    const base = await mkdtemp(join(tmpdir(), 'distsync-tree-monitor-'))
    const root = join(base, 'root')
    await mkdir(join(root, 'old/inner'), { recursive: true })
    const ac = new AbortController()
    const seen = new Set<string>()
    const monitor = new TreeMonitor({ root, index: noIndex, signal: ac.signal, changed: p => seen.add(p) })
    try {
      const counts = await monitor.scanAll()
      assert.equal(counts.dirs, 3)
      assert.equal(monitor.watchedDirs, 3)
      seen.clear()
      await writeFile(join(root, 'old/inner/f'), 'x')
      await until('a file in an existing directory', () => seen.has('old/inner/f'))
      await mkdir(join(root, 'new/a/b'), { recursive: true })
      await writeFile(join(root, 'new/a/b/g'), 'x')
      await until('a file in a directory made after the scan', () => seen.has('new/a/b/g'))
      await mkdir(join(base, 'outside/z'), { recursive: true })
      await writeFile(join(base, 'outside/z/h'), 'x')
      await rename(join(base, 'outside'), join(root, 'moved'))
      await until('a file in a directory moved in', () => seen.has('moved/z/h'))
      await rename(join(root, 'moved'), join(root, 'renamed'))
      seen.clear()
      await writeFile(join(root, 'renamed/z/later'), 'x')
      await until('a file written in a renamed directory, under its new name', () => seen.has('renamed/z/later'))
      assert.ok(![...seen].some(p => p.startsWith('moved/z/later')), 'no event under the old name')
    } finally {
      ac.abort()
      await rm(base, { recursive: true, force: true })
    }
  })

  // the user namespace's own limit (/proc/sys/user): never the system's fs.inotify one, which is
  // the whole machine's
  const LOWER = 'echo 10 > /proc/sys/user/max_inotify_watches'
  const unshare = spawnSync('unshare', ['-Ur', 'sh', '-c', LOWER], { stdio: 'ignore' }).status === 0
  test('past the watch limit: one line with the fix, and changes in unwatched directories are still found', { skip: unshare ? false : 'cannot lower the inotify limit (no user namespaces)' }, async () => {
    const base = await mkdtemp(join(tmpdir(), 'distsync-watch-limit-'))
    const root = join(base, 'root')
    for (let i = 0; i < 30; i++) await mkdir(join(root, `d${i}`), { recursive: true })
    const monitorUrl = new URL('../../src/client/tree-monitor.js', import.meta.url).href
    // a child in its own user namespace, where the limit is 10 watches
    const script = `
      const { TreeMonitor } = await import(${JSON.stringify(monitorUrl)})
      const monitor = new TreeMonitor({ root: ${JSON.stringify(root)}, index: { children: () => new Map() }, signal: new AbortController().signal,
        changed: p => console.log('changed ' + p), warn: l => console.log('warn ' + l), unwatchedRescanMs: 200 })
      await monitor.scanAll()
      console.log('scanned ' + monitor.watchedDirs + ' ' + monitor.unwatchedDirs)
      setTimeout(() => process.exit(0), 30000)`
    const child = spawn('unshare', ['-Ur', 'sh', '-c', `${LOWER} && exec "$0" --input-type=module -e "$1"`, process.execPath, script], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    try {
      // (the warning line says "rescanned": match the whole line)
      const scanned = /^scanned (\d+) (\d+)$/m
      await until('the scan', () => scanned.test(out))
      const [watched, unwatched] = scanned.exec(out)!.slice(1).map(Number) as [number, number]
      assert.ok(watched <= 10 && unwatched >= 21, `watched ${watched}, unwatched ${unwatched}`)
      const warns = out.split('\n').filter(l => l.startsWith('warn '))
      assert.equal(warns.length, 1, out)
      assert.match(warns[0]!, /max_user_watches = 10\) is reached: \d+ directories are not watched.* run: sudo sysctl fs\.inotify\.max_user_watches=65536/)
      // every directory gets a file: those past the limit are found by the rescans
      for (let i = 0; i < 30; i++) await writeFile(join(root, `d${i}`, 'late'), 'x')
      await until('every late file', () => Array.from({ length: 30 }, (_, i) => `changed d${i}/late`).every(l => out.includes(l)))
      assert.equal(out.split('\n').filter(l => l.startsWith('warn ')).length, 1, 'said once')
    } finally {
      child.kill('SIGKILL')
      await rm(base, { recursive: true, force: true })
    }
  })
})
