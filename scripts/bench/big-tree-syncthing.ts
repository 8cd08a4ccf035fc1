// Syncthing on the big tree (issue 20): the same generated tree moved into instance A's folder,
// files/s until B holds every file, through the suite's own Syncthing driver.
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ProcessRegistry } from './processes.ts'
import { SyncthingDriver } from './tools/syncthing.ts'
import { generateTree, waitForCount } from './big-tree.ts'

async function countFiles (dir: string): Promise<number> {
  let n = 0
  for (const d of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) if (d.isFile() && !d.name.startsWith('.syncthing.')) n++
  return n
}

/** Files/s for Syncthing on `files` files in `dirs` directories; undefined if it is not installed. */
export async function syncthingBigTree (files: number, dirs: number, timeoutMs: number, say: (line: string) => void = console.log): Promise<number | undefined> {
  const base = await mkdtemp(join(tmpdir(), 'distsync-bigtree-st-'))
  const registry = new ProcessRegistry()
  const driver = new SyncthingDriver()
  try {
    try { await driver.prepare() } catch (err) { say(`Syncthing: ${(err as Error).message}`); return undefined }
    await mkdir(join(base, 'work'))
    await generateTree(join(base, 'tree'), files, dirs)
    const session = await driver.openSession({ workDir: join(base, 'work'), destinations: 1, registry, trackExisting: () => {} })
    try {
      const t0 = performance.now()
      await rename(join(base, 'tree'), join(session.source, 'tree'))
      const dest = session.destinations[0]!
      await waitForCount('Syncthing to hold every file', async () => await countFiles(join(dest, 'tree')), files, timeoutMs, 500, async () => { await session.assertAlive() })
      const s = (performance.now() - t0) / 1000
      say(`Syncthing initial sync: ${s.toFixed(1)} s, ${Math.round(files / s)} files/s`)
      return files / s
    } finally {
      await session.close()
    }
  } finally {
    await driver.dispose().catch(() => {})
    await registry.stopAll()
    await rm(base, { recursive: true, force: true })
  }
}
