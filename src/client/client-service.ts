// The client: keeps one directory in sync with the hub. A thin service that wires the parts,
// named as the original's four threads: local changes (serve), remote changes (fetch), the
// directory monitor and the hub monitor. Stops on abort (exit 0), when the directory goes
// (DirGoneError) or when the hub is gone past the grace period.
import { mkdir, realpath, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { createNode } from '../net/node.ts'
import { handleBlocks } from '../net/block-transfer.ts'
import { IndexStore } from '../index/index-store.ts'
import { pruneTrash } from '../fs/trash.ts'
import { STATE_DIR } from '../fs/safe-path.ts'
import { TEMP_DIR } from './apply-remote.ts'
import { ChannelClosedError } from './sync-channel.ts'
import { PathQueue } from './path-queue.ts'
import { LocalBlocks } from './local-blocks.ts'
import { FilesInProgress } from './files-in-progress.ts'
import { GONE_CODES, LocalChanges } from './local-changes.ts'
import { RemoteChanges } from './remote-changes.ts'
import { HubMonitor } from './hub-monitor.ts'
import { PeerExchange } from './peer-exchange.ts'
import { DirGoneError, dirIdentity, watchDir } from './dir-monitor.ts'
import { parseHubAddress, type HubAddress } from './hub-link.ts'
import { IgnoringWatcher } from './ignoring-watcher.ts'
import { isWatchLimitError, readWatchLimit, watchLimitMessage } from '../fs/watch-limit.ts'
import { UNWATCHED_RESCAN_MS } from './local-changes.ts'
import { StatusBoard } from './status-board.ts'
import { serveStatus } from './status-socket.ts'
import { pendingAmount } from './pending-amount.ts'
import { IgnoreState } from './ignore-state.ts'
import { IGNORE_FILE } from '../fs/ignore-rules.ts'
import { logger } from '../logger.ts'
import type { Libp2p } from 'libp2p'
import type { PrivateKey } from '@libp2p/interface'

const log = logger('client')

/** The directory's index belongs to another folder or hub: its seqs mean nothing here. */
export class SyncTargetError extends Error {
  override name = 'SyncTargetError'
  readonly code = 'ERR_SYNC_TARGET'
}

/** Concurrent path operations: enough to hide round trips, few enough to bound open files. */
const CONCURRENCY = 16
const DIR_CHECK_MS = 500
const WATCH_AGAIN_MS = 1000

export interface ClientOptions {
  dir: string
  hub: string
  /** the hub's folder this directory syncs with */
  folder: string
  privateKey: PrivateKey
  graceMs: number
  /** addresses to listen on for other members (DEFAULT_LISTEN unless told) */
  listen: string[]
  /** false (--no-direct): neither listen nor dial members; everything through the hub */
  direct: boolean
  /** swarm key (src/net/psk.ts), the hub's; direct connections between members use it too */
  psk?: Uint8Array
}

/** All interfaces, a port the system picks: a member on the same LAN can reach it. */
export const DEFAULT_LISTEN = ['/ip4/0.0.0.0/tcp/0']

export class ClientService {
  readonly #opts: ClientOptions
  readonly #hub: HubAddress
  readonly #abort = new AbortController()
  readonly #fatal = Promise.withResolvers<never>()
  #board: StatusBoard | undefined

  constructor (opts: ClientOptions) {
    this.#opts = opts
    this.#hub = parseHubAddress(opts.hub)
    void this.#fatal.promise.catch(() => {})
  }

  /** Counters for a progress display; undefined until the client has started. */
  get board (): StatusBoard | undefined { return this.#board }

  /** Runs until `signal` aborts (resolves) or the client cannot go on (rejects). */
  async run (signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => { this.#abort.abort() }, { once: true })
    const own = this.#abort.signal
    const fatal = (err: Error): void => { this.#fatal.reject(err) }
    const dirId = dirIdentity(this.#opts.dir)
    const root = await realpath(this.#opts.dir)
    await mkdir(join(root, STATE_DIR), { recursive: true })
    // temp files of a run that was killed mid-apply
    await rm(join(root, TEMP_DIR), { recursive: true, force: true })
    await mkdir(join(root, TEMP_DIR))
    const index = new IndexStore(join(root, STATE_DIR, 'index.db'), fatal)
    try {
      checkSyncTarget(index, root, `${this.#hub.peer}/${this.#opts.folder}`)
    } catch (err) {
      index.close()
      throw err
    }
    const inProgress = new FilesInProgress()
    const blocks = new LocalBlocks(root, index, inProgress)
    for (const rel of await pruneTrash(root)) index.dropLocations(rel)
    const failed = (path: string, err: unknown): void => {
      if (err instanceof DirGoneError) { fatal(err); return }
      if (err instanceof ChannelClosedError || own.aborted) return
      // a file gone between the event and the read is a normal race (issue 16.7)
      if (GONE_CODES.has((err as { code?: string }).code ?? '')) {
        log.debug({ path, err: (err as Error).message }, 'a path went while it was synced')
        return
      }
      log.error({ path, err: (err as Error).message, code: (err as { code?: string }).code }, 'could not sync a path')
    }
    const queue = new PathQueue(CONCURRENCY, failed)
    let node: Libp2p | undefined
    let hub: HubMonitor | undefined
    try {
      // the gate: the hub and the members it lists, nobody else (peer-exchange.ts keeps it)
      const allowed = new Set<string>()
      node = await createNode({
        privateKey: this.#opts.privateKey,
        listen: this.#opts.direct ? this.#opts.listen : [],
        allow: allowed,
        // a frozen hub is noticed within ~12 s (a killed one at once: the connection closes); every
        // 10 s keeps a hub of 1,000 clients under 5% of a core at rest (design-notes, issue 20)
        pingIntervalMs: 10_000,
        ...(this.#opts.psk != null ? { psk: this.#opts.psk } : {})
      })
      const self = node
      hub = new HubMonitor({ node, hub: this.#hub, folder: this.#opts.folder, graceMs: this.#opts.graceMs, signal: own, psk: this.#opts.psk != null, addrs: () => self.getMultiaddrs().map(ma => ma.toString()) })
      const monitor = hub
      const peers = new PeerExchange({ node, self: node.peerId.toString(), hubPeer: this.#hub.peer, allowed, direct: this.#opts.direct, hubConnection: () => monitor.connection })
      let watcher: IgnoringWatcher | undefined
      // chokidar, still handling the removal of what stood there, can drop a watch added at
      // once (fs-fuzz seed 10): watched again, and looked into, once it has settled
      const dirReplaced = (path: string): void => {
        watcher?.watch(path)
        setTimeout(() => {
          if (own.aborted) return
          watcher?.watch(path)
          local.lookInside(path)
        }, WATCH_AGAIN_MS).unref()
        local.rescanSoon()
      }
      const board = new StatusBoard({
        dir: root, hub: this.#hub.addr.toString(), folder: this.#opts.folder, peer: node.peerId.toString(),
        connection: () => monitor.channel != null ? 'connected' : monitor.generation === 0 ? 'connecting' : 'reconnecting',
        lastSeq: () => index.lastSeq,
        indexed: () => index.live(),
        pendingUp: () => pendingAmount(root, local.pendingPaths)
      })
      this.#board = board
      const ignore = new IgnoreState(root, index)
      const replayFrom = await ignore.reload()
      const ignored = (path: string, kind: 'file' | 'dir' | 'symlink'): boolean => ignore.ignores(path, kind)
      const remote: RemoteChanges = new RemoteChanges({
        dirReplaced,
        root, index, queue, signal: own, board, ignored, peers, inProgress,
        skipped: seq => { ignore.skipped(seq) },
        channel: () => monitor.channel,
        generation: () => monitor.generation,
        proposeLocal: async path => await local.propose(path)
      })
      const local: LocalChanges = new LocalChanges({
        dirReplaced,
        root, dirId, index, blocks, queue, signal: own, fatal, failed, ignored,
        channel: () => monitor.channel,
        rescanned: () => { remote.retryParked() },
        apply: async (entry, seq, seen) => await remote.apply(entry, seq, seen)
      })
      await handleBlocks(node, blocks, own, {
        // only the hub and current members may read this client's chunks (the gate admits no one
        // else; a member the hub no longer lists may still have a connection open)
        admit: peer => allowed.has(peer),
        onEnd: (_peer, err) => { log.debug({ err: err.message }, 'blocks stream ended') }
      })
      await node.start()
      log.info({ peer: node.peerId.toString(), dir: root, hub: this.#hub.addr.toString(), listen: node.getMultiaddrs().map(ma => ma.toString()) }, 'client starting')
      await serveStatus(root, () => board.snapshot(), own)

      await monitor.connect()
      // rules that stopped ignoring a path: changes skipped meanwhile are asked for again
      if (replayFrom != null && replayFrom > 0) remote.rewind(replayFrom - 1)
      const rulesChanged = async (): Promise<void> => {
        const from = await ignore.reload()
        if (from == null) return
        await watcher?.restart()
        local.rescan()
        if (from > 0) {
          remote.rewind(from - 1)
          // a new session starts from the rewound seq
          monitor.channel?.close()
        }
      }
      const replacedDir = (dir: string): boolean => {
        const rec = index.get(dir)
        return rec != null && (rec.entry.deleted || rec.entry.kind !== 'dir')
      }
      const limited = watchLimitWarning(() => { local.unwatched() })
      const startWatching = (): void => {
        if (own.aborted) return
        const started = performance.now()
        const w = watcher = new IgnoringWatcher(root, path => {
          if (path === IGNORE_FILE) void rulesChanged().catch(err => { log.warn({ err: (err as Error).message }, 'cannot read the ignore rules') })
          local.watched(path)
          remote.localChanged(path)
        }, err => { if (isWatchLimitError(err)) limited(err); else fatal(err) }, replacedDir, ignored, dir => { local.compareBelow(dir) })
        // one more comparison once every directory is watched leaves no unseen window
        void Promise.race([w.ready, abortPromise(own)]).then(async () => {
          if (own.aborted) return
          await local.compareNow()
          log.info({ ms: Math.round(performance.now() - started) }, 'watching the folder')
        })
      }
      void watchDir(root, dirId, DIR_CHECK_MS, own).catch(err => { if (!own.aborted) fatal(err as Error) })
      try {
        // chokidar's start-up walk (seconds of the one thread on a big tree) starts once the
        // first comparison is done: sharing the thread with it, that comparison and the hub's
        // catch-up waited on it
        void Promise.race([local.compared, abortPromise(own)]).then(startWatching)
        const session = {
          opening: (gen: number) => remote.opening(gen),
          opened: () => local.sessionStarted()
        }
        await Promise.race([this.#fatal.promise, monitor.run(session), abortPromise(own)])
      } finally {
        // chokidar's close has been seen to never settle after a directory replaced a link (its
        // pending reads of the old path): bounded like libp2p's stop below
        const closed = watcher == null || await Promise.race([watcher.close().then(() => true), sleep(3000, false, { ref: false })])
        if (!closed) log.warn('the directory watcher did not close within 3 s; stopping anyway')
      }
    } catch (err) {
      if (own.aborted && !(err instanceof DirGoneError)) return
      throw err
    } finally {
      this.#abort.abort()
      hub?.close()
      // libp2p's stop once hung after the hub had been killed: bound it
      await Promise.race([node?.stop(), sleep(3000, undefined, { ref: false })]).catch(() => {})
      index.close()
    }
  }
}

function abortPromise (signal: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    if (signal.aborted) resolve()
    signal.addEventListener('abort', () => { resolve() }, { once: true })
  })
}

/** An index records the hub and folder it was made with; it is kept with no other. */
function checkSyncTarget (index: IndexStore, root: string, target: string): void {
  const was = index.meta('sync_target')
  if (was == null) {
    index.setMeta('sync_target', target)
    return
  }
  if (was === target) return
  const [hub, folder] = [was.slice(0, was.indexOf('/')), was.slice(was.indexOf('/') + 1)]
  throw new SyncTargetError(`${root} was synced with folder "${folder}" of hub ${hub}; to sync it with another folder or hub, remove ${join(root, STATE_DIR, 'index.db')} first`)
}

/** Past the inotify limit chokidar reports each directory it could not watch: they are counted,
 * the user is told once (with the fix), and the client falls back to frequent rescans. */
function watchLimitWarning (fallback: () => void): (err: Error) => void {
  const unwatched = new Set<string>()
  let told = false
  return err => {
    unwatched.add(String((err as NodeJS.ErrnoException).path ?? unwatched.size))
    if (unwatched.size > 1) return
    fallback()
    // the rest of the tree's refusals come within moments of the first
    setTimeout(() => {
      if (told) return
      told = true
      log.warn({ code: (err as NodeJS.ErrnoException).code }, watchLimitMessage({ unwatched: unwatched.size, limit: readWatchLimit(), rescanSeconds: UNWATCHED_RESCAN_MS / 1000 }))
    }, 2000).unref()
  }
}
