// The client: keeps one directory in sync with the hub. Reads in order: connect -> catch up
// and scan -> for each path, decide (reconcile) -> propose or apply. Stops on abort (exit 0),
// when the directory goes (DirGoneError) or when the hub is gone past the grace period.
import { mkdir, readdir, realpath, rm, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { BLOCKS_PROTOCOL, SYNC_PROTOCOL } from '../protocol/constants.ts'
import { createNode } from '../net/node.ts'
import { fetchBlocks, serveBlocks, BlockMissingError } from '../net/block-transfer.ts'
import { IndexStore } from '../index/index-store.ts'
import { tombstone, type Entry } from '../index/entry.ts'
import { ChunkList } from '../chunk/chunk-list.ts'
import { localStat, localStatSync, sameStat } from '../fs/local-stat.ts'
import { FileChangedError, readChunks, type FileContent } from '../fs/read-chunks.ts'
import { scanTree } from '../fs/scan-tree.ts'
import { pruneTrash } from '../fs/trash.ts'
import { STATE_DIR, checkRelativePath, PathError } from '../fs/safe-path.ts'
import { decideRemote, localState, stillBeingWritten, SETTLE_WINDOW_NS, type LocalStat } from '../reconcile/client-decide.ts'
import { ProtocolError } from '../protocol/errors.ts'
import { applyEntry, ApplyError, TEMP_DIR, type ApplyContext } from './apply-remote.ts'
import { SyncChannel, ChannelClosedError } from './sync-channel.ts'
import { SeqTracker } from './seq-tracker.ts'
import { PathQueue } from './path-queue.ts'
import { LocalBlocks, attachable } from './local-blocks.ts'
import { withAttached } from './attached-fetch.ts'
import { DirGoneError, checkDir, dirIdentity, watchDir, type DirIdentity } from './dir-monitor.ts'
import { HubLostError, HubRefusedError, dialHub, openSyncStream, parseHubAddress, HubUnreachableError, type HubAddress } from './hub-link.ts'
import { watchTree } from './watcher.ts'
import { logger } from '../logger.ts'
import type { AttachedBlock, Changed, Result } from '../protocol/codec.ts'
import type { Libp2p } from 'libp2p'
import type { Connection, PrivateKey, Stream } from '@libp2p/interface'

const log = logger('client')

/** Concurrent path operations: enough to hide round trips, few enough to bound open files. */
const CONCURRENCY = 16
/** Deletions are proposed once none has been seen for this long: `rm -rf dir` deletes the files
 * first and the directory last, and that must read as "directory gone", not "every file deleted". */
const DELETE_SETTLE_MS = 1000
const DIR_CHECK_MS = 500
/** A file still being written is looked at again once the settle window has passed. */
const SETTLE_RETRY_MS = Number(SETTLE_WINDOW_NS / 1_000_000n)
/** chokidar drops a file's change events that come within 5 ms of the one before (its watch
 * throttle): a file changed this recently may have changed again unseen (a truncate and a write,
 * then utimes: the write went unseen and the empty file was synced). It is looked at once more. */
const RECENT_CHANGE_NS = 2_000_000_000n
const RECHECK_AFTER_MS = 100
const RECONNECT_MIN_MS = 250
const RECONNECT_MAX_MS = 5000
const REFUSAL_ATTEMPTS = 3
const RESCAN_INTERVAL_MS = 5 * 60 * 1000

export interface ClientOptions {
  dir: string
  hub: string
  privateKey: PrivateKey
  graceMs: number
}

export class ClientService {
  readonly #opts: ClientOptions
  readonly #hub: HubAddress
  #root = ''
  #dirId: DirIdentity | undefined
  #index: IndexStore | undefined
  #node: Libp2p | undefined
  #blocks: LocalBlocks | undefined
  #channel: SyncChannel | undefined
  #connection: Connection | undefined
  #tracker: SeqTracker | undefined
  /** bumped per connection: work started on an older connection does not touch the tracker */
  #generation = 0
  readonly #queue: PathQueue
  readonly #abort = new AbortController()
  readonly #fatal = Promise.withResolvers<never>()
  readonly #localPending = new Set<string>()
  /** path -> when it was read (ms); see RECENT_CHANGE_NS */
  readonly #recheck = new Map<string, number>()
  #recheckTimer: NodeJS.Timeout | undefined
  readonly #deletions = new Set<string>()
  #deletionTimer: NodeJS.Timeout | undefined

  constructor (opts: ClientOptions) {
    this.#opts = opts
    this.#hub = parseHubAddress(opts.hub)
    this.#queue = new PathQueue(CONCURRENCY, (path, err) => { this.#taskFailed(path, err) })
    void this.#fatal.promise.catch(() => {})
  }

  get #signal (): AbortSignal { return this.#abort.signal }
  get #idx (): IndexStore { return this.#index! }

  /** Runs until `signal` aborts (resolves) or the client cannot go on (rejects). */
  async run (signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => { this.#abort.abort() }, { once: true })
    this.#dirId = dirIdentity(this.#opts.dir)
    this.#root = await realpath(this.#opts.dir)
    await mkdir(join(this.#root, STATE_DIR), { recursive: true })
    // temp files of a run that was killed mid-apply
    await rm(join(this.#root, TEMP_DIR), { recursive: true, force: true })
    await mkdir(join(this.#root, TEMP_DIR))
    this.#index = new IndexStore(join(this.#root, STATE_DIR, 'index.db'), err => { this.#fatal.reject(err) })
    this.#blocks = new LocalBlocks(this.#root, this.#index)
    for (const rel of await pruneTrash(this.#root)) this.#idx.dropLocations(rel)
    try {
      this.#node = await createNode({
        privateKey: this.#opts.privateKey,
        // a frozen hub is noticed within ~7 s instead of ~12 (a killed one at once: the
        // connection closes). Every second cost the hub a stream per client per second: a
        // third of its CPU while relaying one change to 50 clients.
        pingIntervalMs: 5000
      })
      await this.#node.handle(BLOCKS_PROTOCOL, (stream, connection) => {
        // only the hub may read this client's files
        if (connection.remotePeer.toString() !== this.#hub.peer) { stream.abort(new Error('not the hub')); return }
        void serveBlocks(stream, this.#blocks!, this.#signal).catch(err => { log.debug({ err: (err as Error).message }, 'blocks stream ended') })
      }, { maxInboundStreams: 64 })
      await this.#node.start()
      log.info({ peer: this.#node.peerId.toString(), dir: this.#root, hub: this.#hub.addr.toString() }, 'client starting')

      this.#connection = await dialHub(this.#node, this.#hub, this.#signal)
      const watcher = watchTree(this.#root, path => { this.#localChanged(path) }, err => { this.#fatal.reject(err) })
      void watchDir(this.#root, this.#dirId, DIR_CHECK_MS, this.#signal).catch(err => { if (!this.#signal.aborted) this.#fatal.reject(err) })
      try {
        // the first scan starts once the watcher is ready, so a file written during start-up is
        // seen by one or the other (under load chokidar took seconds to be ready, and a file
        // written in between waited for the periodic rescan)
        await Promise.race([this.#fatal.promise, watcher.ready, abortPromise(this.#signal)])
        await Promise.race([this.#fatal.promise, this.#connectionLoop(), abortPromise(this.#signal)])
      } finally {
        await watcher.close()
      }
    } catch (err) {
      if (this.#signal.aborted && !(err instanceof DirGoneError)) return
      throw err
    } finally {
      this.#abort.abort()
      this.#channel?.close()
      await Promise.race([this.#node?.stop(), sleep(3000, undefined, { ref: false })]).catch(() => {})
      this.#index.close()
    }
  }

  /**
   * Opens the sync stream, redialing a few times if the hub drops the connection at once: a hub
   * busy with many handshakes can do that, and it looks the same as refusing an unknown peer.
   */
  async #openStream (): Promise<Stream> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await openSyncStream(this.#connection!, SYNC_PROTOCOL, this.#hub, this.#signal)
      } catch (err) {
        if (!(err instanceof HubRefusedError) || attempt >= REFUSAL_ATTEMPTS) throw err
        log.debug({ attempt, err: err.message }, 'the hub closed the connection; trying again')
        await sleep(RECONNECT_MIN_MS * attempt, undefined, { signal: this.#signal })
        this.#connection = await dialHub(this.#node!, this.#hub, this.#signal)
      }
    }
  }

  /** One pass per hub connection: sync, and when the hub goes, reconnect within the grace period. */
  async #connectionLoop (): Promise<void> {
    while (!this.#signal.aborted) {
      const stream = await this.#openStream()
      const gen = ++this.#generation
      const lost = hubLost(this.#node!, this.#hub.peer, this.#connection!, this.#signal)
      const channel = new SyncChannel(stream, this.#signal)
      const tracker = new SeqTracker(this.#idx.lastSeq)
      this.#channel = channel
      this.#tracker = tracker
      const running = channel.run(tracker.applied, {
        changed: c => { this.#remoteChanged(c, gen) },
        caughtUp: seq => {
          log.info({ seq }, 'caught up with the hub')
          tracker.caughtUp(seq)
          this.#saveSeq(gen)
        },
        invalid: (seq, err) => {
          log.warn({ seq, err: err.message }, 'refused a change from the hub')
          tracker.received(seq)
          tracker.finished(seq)
        }
      })
      void this.#rescan()
      // a watcher can miss events (inotify queue overflow, a directory made and filled at once):
      // an occasional full comparison of disk and index catches what it missed
      const rescans = setInterval(() => { void this.#rescan() }, RESCAN_INTERVAL_MS)
      await Promise.race([running, lost.promise]).finally(() => {
        clearInterval(rescans)
        lost.cancel()
      })
      channel.close()
      this.#channel = undefined
      if (this.#signal.aborted) return
      log.warn({ graceSeconds: this.#opts.graceMs / 1000 }, 'lost the hub; reconnecting')
      this.#connection = await this.#reconnect()
      log.info('reconnected to the hub')
    }
  }

  async #reconnect (): Promise<Connection> {
    const deadline = Date.now() + this.#opts.graceMs
    let wait = RECONNECT_MIN_MS
    let last: Error | undefined
    while (Date.now() < deadline) {
      await sleep(Math.min(wait, Math.max(0, deadline - Date.now())), undefined, { signal: this.#signal })
      try {
        return await dialHub(this.#node!, this.#hub, this.#signal)
      } catch (err) {
        if (!(err instanceof HubUnreachableError)) throw err
        last = err
      }
      wait = Math.min(wait * 2, RECONNECT_MAX_MS)
    }
    throw new HubLostError(`lost the hub for more than ${this.#opts.graceMs / 1000} s (${last?.message ?? 'no answer'})`)
  }

  #saveSeq (gen: number): void {
    if (gen !== this.#generation || this.#tracker == null) return
    const seq = this.#tracker.applied
    if (seq !== this.#idx.lastSeq) this.#idx.lastSeq = seq
  }

  #taskFailed (path: string, err: unknown): void {
    if (err instanceof DirGoneError) { this.#fatal.reject(err); return }
    if (err instanceof ChannelClosedError || this.#signal.aborted) return
    log.error({ path, err: (err as Error).message, code: (err as { code?: string }).code }, 'could not sync a path')
  }

  /** Everything on disk and in the index, checked against each other (start and reconnect). */
  async #rescan (): Promise<void> {
    const seen = new Set<string>()
    try {
      for await (const path of scanTree(this.#root, this.#signal, rel => { void unlink(join(this.#root, rel)).catch(() => {}) })) {
        seen.add(path)
        this.#localChanged(path)
      }
      for (const rec of this.#idx.all()) if (!seen.has(rec.entry.path) && !rec.entry.deleted) this.#localChanged(rec.entry.path)
    } catch (err) {
      if (!this.#signal.aborted) log.error({ err: (err as Error).message }, 'scan failed')
    }
  }

  #localChanged (path: string): void {
    // one queued check per path is enough: it reads the disk when it runs
    if (this.#localPending.has(path)) return
    this.#localPending.add(path)
    void this.#queue.push(path, async () => {
      this.#localPending.delete(path)
      await this.#proposeLocal(path)
    })
  }

  /** Holds deletions back until they stop coming, then proposes them if the directory is still there. */
  #deletionSeen (path: string): void {
    this.#deletions.add(path)
    clearTimeout(this.#deletionTimer)
    this.#deletionTimer = setTimeout(() => { void this.#flushDeletions() }, DELETE_SETTLE_MS)
    this.#deletionTimer.unref()
  }

  async #flushDeletions (): Promise<void> {
    const paths = [...this.#deletions]
    this.#deletions.clear()
    try {
      await checkDir(this.#root, this.#dirId!)
    } catch (err) {
      this.#fatal.reject(err)
      return
    }
    for (const path of paths) void this.#queue.push(path, async () => { await this.#proposeLocal(path, true) })
  }

  #remoteChanged (c: Changed, gen: number): void {
    const tracker = this.#tracker!
    tracker.received(c.seq)
    void this.#queue.push(c.entry.path, async () => {
      let done = false
      try {
        await this.#applyRemote(c)
        done = true
      } catch (err) {
        // a broken path or a bad chunk will not heal by retrying; a lost connection will
        done = err instanceof PathError || err instanceof ApplyError || err instanceof ProtocolError || err instanceof BlockMissingError
        throw err
      } finally {
        if (done && gen === this.#generation) {
          tracker.finished(c.seq)
          this.#saveSeq(gen)
        }
      }
    })
  }

  async #applyRemote (c: Changed): Promise<void> {
    const { entry, seq } = c
    const abs = join(this.#root, entry.path)
    const local = await localStat(abs)
    const rec = this.#idx.get(entry.path)
    let action = decideRemote(local, rec, entry, seq)
    if (action === 'hash-local') {
      try {
        action = decideRemote(local, rec, entry, seq, (await readChunks(abs, local?.size ?? 0, this.#signal)).hash)
      } catch (err) {
        // being written: the user's change is the newer one; the hub decides once it settles
        if (!(err instanceof FileChangedError)) throw err
        action = 'propose-local'
      }
    }
    log.debug({ path: entry.path, seq, action }, 'remote change')
    switch (action) {
      case 'skip': return
      case 'apply':
        if (await applyEntry(this.#applyContext(c.blocks), entry, seq, local) === 'changed') await this.#proposeLocal(entry.path)
        return
      case 'adopt':
        this.#idx.put({ entry, seq, stat: local?.kind === 'file' ? local : null }, entry.kind === 'file' && !entry.deleted)
        return
      case 'adopt-metadata':
        await applyEntry(this.#applyContext(), entry, seq, local)
        return
      case 'propose-local':
        await this.#proposeLocal(entry.path)
    }
  }

  #applyContext (attached: AttachedBlock[] = []): ApplyContext {
    return {
      root: this.#root,
      index: this.#idx,
      fetch: withAttached(attached, refs => this.#fetch(refs))
    }
  }

  async * #fetch (refs: Parameters<typeof fetchBlocks>[1]): ReturnType<typeof fetchBlocks> {
    if (this.#connection == null) throw new ChannelClosedError('not connected to the hub')
    log.debug({ chunks: refs.length }, 'fetching chunks')
    yield * fetchBlocks(this.#connection, refs, this.#signal)
    log.debug({ chunks: refs.length }, 'fetched chunks')
  }

  /** Flow 1: if the user changed the path, tell the hub; apply what the hub answers. */
  async #proposeLocal (path: string, deletionSettled = false): Promise<void> {
    const channel = this.#channel
    if (channel == null) return // the rescan after reconnecting finds it
    try {
      checkRelativePath(path)
    } catch (err) {
      log.warn({ path, err: (err as Error).message }, 'not syncing a path with an unsafe name')
      return
    }
    const abs = join(this.#root, path)
    const local = await localStat(abs)
    const rec = this.#idx.get(path)
    const state = localState(local, rec)
    if (state === 'unchanged' || state === 'absent') return
    if (state === 'deleted') {
      if (!deletionSettled) {
        this.#deletionSeen(path)
        // the watcher may report a removed tree by its top alone
        if (rec!.entry.kind === 'dir') for (const child of this.#idx.liveUnder(path)) this.#deletionSeen(child)
        return
      }
      const gone = tombstone(path, rec!.entry.kind, BigInt(Date.now()) * 1_000_000n)
      await this.#handleResult(path, await channel.propose(gone, rec!.seq), null, gone)
      return
    }
    if (local == null || local.kind === 'other') return
    if (local.kind === 'dir' && rec?.entry.deleted === true && (await readdir(abs)).length > 0) {
      // the hub deleted this directory and its children's tombstones are on their way: the last
      // one removes it. Proposing it would bring it back everywhere.
      return
    }
    const built = await this.#buildEntry(path, abs, local)
    if (built == null) {
      // still being written: look again once it may have settled (a watcher event may not come)
      setTimeout(() => { if (!this.#signal.aborted) this.#localChanged(path) }, SETTLE_RETRY_MS).unref()
      return
    }
    const release = this.#blocks!.offer(path, built.content, local)
    try {
      const result = await channel.propose(built.entry, rec?.seq ?? 0, attachable(built.entry, built.content))
      await this.#handleResult(path, result, local, built.entry)
    } finally {
      release()
    }
    if (local.ctimeNs != null && BigInt(Date.now()) * 1_000_000n - local.ctimeNs < RECENT_CHANGE_NS) this.#recheckSoon(path)
  }

  #recheckSoon (path: string): void {
    this.#recheck.set(path, Date.now())
    this.#recheckTimer ??= setTimeout(() => { this.#recheckDue() }, RECHECK_AFTER_MS).unref()
  }

  /** One lstat each (synchronous: thousands of fresh files make thousands of these). */
  #recheckDue (): void {
    this.#recheckTimer = undefined
    if (this.#signal.aborted) return
    const due = Date.now() - RECHECK_AFTER_MS
    for (const [path, at] of this.#recheck) {
      if (at > due) continue
      this.#recheck.delete(path)
      try {
        if (localState(localStatSync(join(this.#root, path)), this.#idx.get(path)) !== 'unchanged') this.#localChanged(path)
      } catch (err) {
        this.#taskFailed(path, err)
      }
    }
    if (this.#recheck.size > 0) this.#recheckTimer = setTimeout(() => { this.#recheckDue() }, RECHECK_AFTER_MS).unref()
  }

  async #buildEntry (path: string, abs: string, local: LocalStat): Promise<{ entry: Entry, content: FileContent } | null> {
    const base = { path, kind: local.kind as Entry['kind'], size: 0, mtimeNs: local.mtimeNs, exec: false, deleted: false, hash: new Uint8Array(0), chunks: ChunkList.EMPTY, target: '' }
    const none: FileContent = { hash: base.hash, size: 0, chunks: ChunkList.EMPTY }
    if (local.kind === 'dir') return { entry: base, content: none }
    if (local.kind === 'symlink') return { entry: { ...base, target: local.target }, content: none }
    if (stillBeingWritten(local, BigInt(Date.now()) * 1_000_000n)) return null
    let content
    try {
      content = await readChunks(abs, local.size, this.#signal)
    } catch (err) {
      if (err instanceof FileChangedError) return null
      throw err
    }
    const after = await localStat(abs)
    if (!sameStat(local, after)) {
      log.debug({ path }, 'file changed while reading; waiting for it to settle')
      return null
    }
    return { entry: { ...base, size: content.size, exec: local.exec, hash: content.hash, chunks: content.chunks }, content }
  }

  async #handleResult (path: string, result: Result, local: LocalStat | null, entry: Entry): Promise<void> {
    switch (result.outcome) {
      case 'accepted': {
        const isFile = entry.kind === 'file' && !entry.deleted
        this.#idx.put({ entry, seq: result.seq, stat: isFile ? local : null }, isFile)
        log.debug({ path, seq: result.seq }, 'proposal accepted')
        return
      }
      case 'superseded':
        // the hub kept its version (ours survives as a conflict copy, or as a deletion it refused)
        log.info({ path, reason: result.reason }, 'the hub kept another version')
        if (result.current != null && await applyEntry(this.#applyContext(), result.current, result.seq, local) === 'changed') this.#localChanged(path)
        return
      case 'rejected':
        log.warn({ path, reason: result.reason }, 'the hub refused a change')
    }
  }
}

function abortPromise (signal: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    if (signal.aborted) resolve()
    signal.addEventListener('abort', () => { resolve() }, { once: true })
  })
}

/** Resolves when libp2p reports the hub's connection gone (DESIGN.md, Liveness); `cancel` stops listening. */
function hubLost (node: Libp2p, hubPeer: string, connection: Connection, signal: AbortSignal): { promise: Promise<void>, cancel: () => void } {
  const lost = Promise.withResolvers<void>()
  const onDisconnect = (evt: CustomEvent): void => { if (String(evt.detail) === hubPeer) lost.resolve() }
  const cancel = (): void => {
    node.removeEventListener('peer:disconnect', onDisconnect)
    signal.removeEventListener('abort', cancel)
  }
  node.addEventListener('peer:disconnect', onDisconnect)
  signal.addEventListener('abort', cancel, { once: true })
  if (connection.status !== 'open') lost.resolve()
  return { promise: lost.promise, cancel }
}
