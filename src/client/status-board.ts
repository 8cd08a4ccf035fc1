// What a running client tells `distsync status` and its progress bar: a few counters the parts
// keep current, and providers read only when someone asks.
import { parseConflictCopy } from '../reconcile/conflict-name.ts'

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting'

export interface Amount { files: number, bytes: number }
export interface Transfer { path: string, size: number, received: number }
export interface ConflictCopy { path: string, original: string, peer8: string }

export interface ClientStatus {
  running: boolean
  pid?: number
  dir: string
  hub?: string
  folder?: string
  peer?: string
  connection?: ConnectionState
  lastSeq: number
  /** what the index holds: live files and their bytes */
  files: Amount
  /** local changes not yet accepted by the hub */
  pendingUp?: Amount
  /** changes from the hub not yet applied here */
  pendingDown?: Amount
  /** files being fetched now */
  transfers?: Transfer[]
  /** bytes of file data fetched since the client started */
  received?: number
  conflicts: ConflictCopy[]
}

export interface StatusProviders {
  dir: string
  hub: string
  folder: string
  peer: string
  connection: () => ConnectionState
  lastSeq: () => number
  /** live index entries: path, kind, size */
  indexed: () => Iterable<{ path: string, kind: string, size: number }>
  /** local paths waiting to be proposed, and their sizes as last seen */
  pendingUp: () => Amount
}

export class StatusBoard {
  readonly #providers: StatusProviders
  /** path -> size of a change from the hub received and not applied yet */
  readonly #inbound = new Map<string, number>()
  readonly #transfers = new Map<string, Transfer>()
  #received = 0

  constructor (providers: StatusProviders) {
    this.#providers = providers
  }

  inbound (path: string, size: number): void { this.#inbound.set(path, size) }
  inboundDone (path: string): void { this.#inbound.delete(path) }

  /** A fetch for `path` starts; returns what to call per chunk received and when it ends. */
  transfer (path: string, size: number): { received: (bytes: number) => void, end: () => void } {
    const t: Transfer = { path, size, received: 0 }
    this.#transfers.set(path, t)
    return {
      received: bytes => { t.received += bytes; this.#received += bytes },
      end: () => { if (this.#transfers.get(path) === t) this.#transfers.delete(path) }
    }
  }

  /** What is left to receive, for the progress bar: cheap, no index walk. */
  get downloading (): { pending: Amount, received: number } {
    let bytes = 0
    for (const size of this.#inbound.values()) bytes += size
    // what is left of the files being fetched now
    for (const t of this.#transfers.values()) if (this.#inbound.has(t.path)) bytes -= Math.min(t.received, t.size)
    return { pending: { files: this.#inbound.size, bytes: Math.max(0, bytes) }, received: this.#received }
  }

  snapshot (): ClientStatus {
    const p = this.#providers
    const files: Amount = { files: 0, bytes: 0 }
    const conflicts: ConflictCopy[] = []
    for (const e of p.indexed()) {
      if (e.kind !== 'file') continue
      files.files++
      files.bytes += e.size
      const copy = parseConflictCopy(e.path)
      if (copy != null) conflicts.push({ path: e.path, original: copy.original, peer8: copy.peer8 })
    }
    return {
      running: true,
      pid: process.pid,
      dir: p.dir,
      hub: p.hub,
      folder: p.folder,
      peer: p.peer,
      connection: p.connection(),
      lastSeq: p.lastSeq(),
      files,
      pendingUp: p.pendingUp(),
      pendingDown: this.downloading.pending,
      transfers: [...this.#transfers.values()].map(t => ({ ...t })),
      received: this.#received,
      conflicts
    }
  }
}
