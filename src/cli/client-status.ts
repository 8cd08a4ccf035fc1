// `distsync status DIR` and `distsync conflicts DIR`: what a client is doing, asked over its
// status socket, or what its index knows when it is not running.
import { existsSync } from 'node:fs'
import { lstat } from 'node:fs/promises'
import { join } from 'node:path'
import { IndexStore } from '../index/index-store.ts'
import { STATE_DIR } from '../fs/safe-path.ts'
import { scanTree } from '../fs/scan-tree.ts'
import { parseConflictCopy } from '../reconcile/conflict-name.ts'
import { queryStatus } from '../client/status-socket.ts'
import { StatusBoard, type Amount, type ClientStatus } from '../client/status-board.ts'
import { UsageError } from './exit-codes.ts'

export async function readClientStatus (root: string): Promise<ClientStatus> {
  const live = await queryStatus(root)
  if (live != null && typeof live === 'object' && (live as { running?: unknown }).running === true) return live as ClientStatus
  const file = join(root, STATE_DIR, 'index.db')
  if (!existsSync(file)) throw new UsageError(`${root} has no distsync state (${STATE_DIR}/index.db): no client has synced it`)
  const index = new IndexStore(file)
  try {
    const target = index.meta('sync_target')
    const slash = target?.indexOf('/') ?? -1
    const board = new StatusBoard({
      dir: root,
      hub: slash > 0 ? target!.slice(0, slash) : '',
      folder: slash > 0 ? target!.slice(slash + 1) : '',
      peer: '',
      connection: () => 'connecting',
      lastSeq: () => index.lastSeq,
      indexed: () => index.live(),
      pendingUp: () => ({ files: 0, bytes: 0 })
    })
    const s = board.snapshot()
    // not running: only what the index knows
    return { running: false, dir: root, ...(s.hub !== '' ? { hub: `/p2p/${s.hub!}`, folder: s.folder! } : {}), lastSeq: s.lastSeq, files: s.files, conflicts: s.conflicts }
  } finally {
    index.close()
  }
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
export function formatBytes (n: number): string {
  let i = 0
  while (n >= 1024 && i < UNITS.length - 1) { n /= 1024; i++ }
  return i === 0 ? `${n} B` : `${n.toFixed(1)} ${UNITS[i]!}`
}
const amount = (a: Amount | undefined): string => a == null ? '-' : `${a.files} file${a.files === 1 ? '' : 's'} (${formatBytes(a.bytes)})`

export function formatClientStatus (s: ClientStatus): string {
  const rows: Array<[string, string]> = [
    ['client', s.running ? `running (pid ${s.pid ?? '?'})` : 'not running: what its index knows'],
    ['directory', s.dir],
    ['hub', s.hub ?? '-'],
    ['folder', s.folder ?? '-']
  ]
  if (s.running) rows.push(['connection', s.connection ?? '-'])
  rows.push(['last seq', `${s.lastSeq} applied`], ['files', amount(s.files)])
  if (s.running) {
    rows.push(['pending up', amount(s.pendingUp)], ['pending down', amount(s.pendingDown)])
    const t = s.transfers ?? []
    rows.push(['transfers', t.length === 0 ? 'none' : t.map(x => `${x.path} ${x.size > 0 ? Math.floor(100 * x.received / x.size) : 100}% of ${formatBytes(x.size)}`).join(', ')])
  }
  rows.push(['conflicts', s.conflicts.length === 0 ? 'none' : `${s.conflicts.length} (distsync conflicts ${s.dir} lists them)`])
  const width = Math.max(...rows.map(r => r[0].length))
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n'
}

export interface ConflictListing {
  path: string
  original: string
  /** the losing version, kept under the copy's name: its mtime and the peer that wrote it */
  copy: { mtime: string, peer8: string }
  /** the version that won, at the original name (null: no longer there) */
  current: { mtime: string } | null
}

/** Conflict copies on disk, with the two versions' mtimes. */
export async function listConflicts (root: string, signal: AbortSignal): Promise<ConflictListing[]> {
  if (!existsSync(root)) throw new UsageError(`directory ${root} does not exist`)
  const out: ConflictListing[] = []
  for await (const path of scanTree(root, signal)) {
    const copy = parseConflictCopy(path)
    if (copy == null) continue
    const st = await lstat(join(root, path)).catch(() => null)
    if (st?.isFile() !== true) continue
    const cur = await lstat(join(root, copy.original)).catch(() => null)
    out.push({
      path,
      original: copy.original,
      copy: { mtime: st.mtime.toISOString(), peer8: copy.peer8 },
      current: cur == null ? null : { mtime: cur.mtime.toISOString() }
    })
  }
  return out
}

export function formatConflicts (list: ConflictListing[]): string {
  if (list.length === 0) return 'no conflict copies\n'
  return list.map(c => `${c.original}\n  kept:  ${c.path}  (modified ${c.copy.mtime}, by peer …${c.copy.peer8})\n  current version: ${c.current == null ? 'gone' : `modified ${c.current.mtime}`}`).join('\n') + '\n'
}
