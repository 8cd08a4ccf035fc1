// chokidar's start-up walk alone on a generated tree (issue 20): how long until `ready`, its CPU
// and the heap it keeps, with the client's own watcher options (src/client/watcher.ts).
//   node dist/scripts/bench/watch-walk.js [--files 30000] [--dirs 3000]
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { generateTree } from './big-tree.ts'
import { watchTree } from '../../src/client/watcher.ts'

const { values } = parseArgs({ options: { files: { type: 'string', default: '30000' }, dirs: { type: 'string', default: '3000' } } })
const base = await mkdtemp(join(tmpdir(), 'distsync-watch-walk-'))
try {
  await generateTree(base, Number(values.files), Number(values.dirs))
  globalThis.gc?.()
  const heapBefore = process.memoryUsage().heapUsed
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const w = watchTree(base, () => {}, err => { console.error(err.message) })
  await w.ready
  const seconds = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  const heapAtReady = process.memoryUsage().heapUsed
  // what stays once the walk's garbage is gone
  globalThis.gc?.()
  const heapKept = process.memoryUsage().heapUsed
  console.log(`chokidar ready after ${seconds.toFixed(2)} s, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s of CPU; heap +${Math.round((heapAtReady - heapBefore) / 1048576)} MB at ready, +${Math.round((heapKept - heapBefore) / 1048576)} MB kept${globalThis.gc == null ? ' (run with --expose-gc for the kept figure)' : ''}`)
  console.log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB, RSS now ${Math.round(process.memoryUsage().rss / 1048576)} MB`)
  await w.close()
} finally {
  await rm(base, { recursive: true, force: true })
}
