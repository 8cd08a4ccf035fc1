// Local changes (the original's "serve" thread): a path the watcher or a scan names is compared
// with the index (flow 1); a change is chunked, hashed and proposed to the hub, and the hub's
// answer recorded or applied. Deletions are held back until they stop coming.
import { unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { tombstone, type Entry } from '../index/entry.ts'
import { ChunkList } from '../chunk/chunk-list.ts'
import { localStat, localStatSync, sameStat } from '../fs/local-stat.ts'
import { FileChangedError, readChunks, type FileContent } from '../fs/read-chunks.ts'
import { compareTree } from './tree-compare.ts'
import { checkRelativePath, PathError } from '../fs/safe-path.ts'
import { readdirInFolder, SymlinkInPathError } from '../fs/folder-boundary.ts'
import { localState, stillBeingWritten, SETTLE_WINDOW_NS, type IndexRecord, type LocalStat } from '../reconcile/client-decide.ts'
import { PARENT_NOT_DIR, SHAPE_REFUSALS } from '../reconcile/tree-shape.ts'
import { checkDir, type DirIdentity } from './dir-monitor.ts'
import { attachable, type LocalBlocks } from './local-blocks.ts'
import { logger } from '../logger.ts'
import type { IndexStore } from '../index/index-store.ts'
import type { PathQueue } from './path-queue.ts'
import type { SyncChannel } from './sync-channel.ts'
import { ApplyLaterError, type ApplyOutcome } from './apply-remote.ts'
import { MAX_ATTEMPTS, retryWaitMs } from './retry-later.ts'
import type { Result } from '../protocol/codec.ts'

const log = logger('client')

/** Deletions are proposed once none has been seen for this long: `rm -rf dir` deletes the files
 * first and the directory last, and that must read as "directory gone", not "every file deleted". */
const DELETE_SETTLE_MS = 1000
/** A file still being written is looked at again once the settle window has passed. */
const SETTLE_RETRY_MS = Number(SETTLE_WINDOW_NS / 1_000_000n)
/** chokidar drops a file's change events that come within 5 ms of the one before (its watch
 * throttle): a file changed this recently may have changed again unseen (a truncate and a write,
 * then utimes: the write went unseen and the empty file was synced). It is looked at once more. */
const RECENT_CHANGE_NS = 2_000_000_000n
const RECHECK_AFTER_MS = 100
/** The safety-net comparison of the whole tree (a watcher can miss events: an inotify queue
 * overflow); every 30 s once some directories could not be watched (the inotify limit). */
const RESCAN_INTERVAL_MS = 5 * 60 * 1000
/** After a path changed kind, the whole tree is compared again this much later (at most one
 * such scan pending): chokidar's own state can go astray there and miss what follows. */
const RESCAN_SOON_MS = 2000
/** Tries of a hub's answer that cannot be applied yet (retry-later.ts's waits, ~2 minutes). */
const MAX_LATER_TRIES = MAX_ATTEMPTS
export const UNWATCHED_RESCAN_MS = 30_000
/** Paths a walk may leave waiting in the queue before it waits: a tree moved in is queued as it
 * is proposed, not all at once (a closure and a set entry per path of the tree) */
const WALK_BACKLOG = 2000
/** Watcher events past this many waiting paths are not queued one by one: one comparison of the
 * tree finds them, with the walk's own backpressure (a tree moved in queued a closure per path:
 * the sender's peak memory on 100,000 files) */
const EVENT_BACKLOG = 2 * WALK_BACKLOG
/** Paths whose "not synced" warning was given: one warning each, and a bounded memory of them. */
const MAX_WARNED = 10_000
/** The file went between the look and the read (an editor's swap file, git's lock files): a
 * normal race, not an error; the next look at the path sees it gone. */
export const GONE_CODES = new Set(['ENOENT', 'ENOTDIR', 'ELOOP'])

export interface LocalChangesOptions {
  root: string
  dirId: DirIdentity
  index: IndexStore
  blocks: LocalBlocks
  queue: PathQueue
  signal: AbortSignal
  /** the current session's channel; undefined while the hub is away */
  channel: () => SyncChannel | undefined
  /** makes the disk match an entry the hub kept instead of ours */
  apply: (entry: Entry, seq: number, seen: LocalStat | null) => Promise<ApplyOutcome>
  /** the client cannot go on (the directory went) */
  fatal: (err: Error) => void
  /** a directory was found where the index has something else (the watcher is told to watch it) */
  dirReplaced?: (path: string) => void
  /** each periodic or reconnect rescan (remote changes parked for later are tried again) */
  rescanned?: () => void
  /** work on a path failed (the same handler as the path queue's) */
  failed: (path: string, err: unknown) => void
  /** the folder's ignore rules (.distsyncignore) */
  ignored?: (path: string, kind: 'file' | 'dir' | 'symlink') => boolean
}

export class LocalChanges {
  readonly #opts: LocalChangesOptions
  readonly #pending = new Set<string>()
  /** path -> when it was read (ms); see RECENT_CHANGE_NS */
  readonly #recheck = new Map<string, number>()
  #recheckTimer: NodeJS.Timeout | undefined
  readonly #deletions = new Set<string>()
  #deletionTimer: NodeJS.Timeout | undefined
  readonly #warned = new Set<string>()
  #rescanSoon: NodeJS.Timeout | undefined
  /** path -> tries of the hub's version that could not be applied yet */
  readonly #laterTries = new Map<string, number>()
  /** paths the hub refused because a parent is a file there: their parents are proposed again */
  readonly #reproposeParents = new Set<string>()
  #rescanEvery = RESCAN_INTERVAL_MS
  #restartRescans: (() => void) | undefined
  #scans = 0
  /** the comparison that stands in for watcher events past EVENT_BACKLOG, and whether more came */
  #burstRunning = false
  #burstAgain = false

  readonly #compared = Promise.withResolvers<void>()

  constructor (opts: LocalChangesOptions) {
    this.#opts = opts
  }

  /** Resolves once the disk has been compared with the index (or the comparison failed) once. */
  get compared (): Promise<void> { return this.#compared.promise }

  /** Some directories are not watched (the inotify limit): compare the tree every 30 s. */
  unwatched (): void {
    if (this.#rescanEvery === UNWATCHED_RESCAN_MS) return
    this.#rescanEvery = UNWATCHED_RESCAN_MS
    this.#restartRescans?.()
  }

  /** Compares the whole disk with the index now (after the ignore rules changed, say). */
  rescan (): void { void this.#rescan() }

  /** The same comparison, awaited. */
  async compareNow (): Promise<void> { await this.#rescan() }

  /** Compares what is below `dir` with the index (a tree moved in, once it is watched). */
  compareBelow (dir: string): void { void this.#rescan(dir) }

  /** Paths waiting to be looked at and proposed (for `distsync status`). */
  get pendingPaths (): string[] { return [...this.#pending, ...this.#deletions] }

  /** A path may have changed: one queued check per path is enough, it reads the disk when it runs. */
  changed (path: string): void {
    if (this.#pending.has(path)) return
    this.#pending.add(path)
    this.#opts.queue.push(path, async () => {
      this.#pending.delete(path)
      await this.propose(path)
    })
  }

  /** A path the watcher named: as `changed`, unless a burst of events has filled the queue. */
  watched (path: string): void {
    if (this.#pending.has(path)) return
    // local paths only: the queue also holds the hub's changes, and a receiver's own applied
    // files (an event each) would otherwise compare the whole tree again and again
    if (this.#pending.size < EVENT_BACKLOG) this.changed(path)
    else this.#compareAfterBurst()
  }

  #compareAfterBurst (): void {
    if (this.#burstRunning) {
      this.#burstAgain = true
      return
    }
    this.#burstRunning = true
    log.info({ waiting: this.#opts.queue.waiting }, 'many changes at once: comparing the tree rather than queueing each')
    void (async () => {
      try {
        do {
          this.#burstAgain = false
          await this.#opts.queue.below(WALK_BACKLOG)
          await this.#rescan()
        } while (this.#burstAgain && !this.#opts.signal.aborted)
      } finally {
        this.#burstRunning = false
      }
    })()
  }

  /**
   * A session began: compare disk and index now, and every few minutes while it lasts (a watcher
   * can miss events: inotify queue overflow, a directory made and filled at once). Returns the
   * function that stops the periodic scans.
   */
  sessionStarted (): () => void {
    void this.#rescan()
    let rescans: NodeJS.Timeout | undefined
    const start = (): void => {
      clearInterval(rescans)
      rescans = setInterval(() => { void this.#rescan() }, this.#rescanEvery)
    }
    start()
    this.#restartRescans = start
    return () => {
      clearInterval(rescans)
      this.#restartRescans = undefined
    }
  }

  /** One full comparison of disk and index shortly (a directory replaced a file or link). */
  rescanSoon (): void {
    this.#rescanSoon ??= setTimeout(() => {
      this.#rescanSoon = undefined
      if (!this.#opts.signal.aborted) void this.#rescan()
    }, RESCAN_SOON_MS).unref()
  }

  /**
   * The disk and the index compared one directory at a time (tree-compare.ts): only paths that
   * differ are queued, nothing is read or hashed. Ignored directories are not walked.
   */
  async #rescan (start = ''): Promise<void> {
    const { root, index, signal, queue } = this.#opts
    const started = performance.now()
    try {
      const counts = await compareTree({
        root, index, signal,
        changed: path => { this.changed(path) },
        descend: dir => this.#opts.ignored?.(dir, 'dir') !== true,
        onTemp: rel => { void unlink(join(root, rel)).catch(() => {}) },
        backlog: async () => { await queue.below(WALK_BACKLOG) }
      }, start)
      const ms = Math.round(performance.now() - started)
      if (start !== '') log.info({ dir: start, ...counts, ms }, 'compared a tree moved in')
      else if (this.#scans++ === 0) log.info({ ...counts, ms }, 'startup scan done')
      else log.debug({ ...counts, ms }, 'rescan done')
    } catch (err) {
      if (!signal.aborted) log.error({ err: (err as Error).message }, 'scan failed')
    }
    this.#compared.resolve()
    this.#opts.rescanned?.()
  }

  /** A path that is not synced, said once (a user's one warning per path, not one per event). */
  #notSynced (path: string, why: string, err: unknown): void {
    if (this.#warned.has(path)) return
    if (this.#warned.size >= MAX_WARNED) this.#warned.clear()
    this.#warned.add(path)
    log.warn({ path, err: (err as Error).message, code: (err as { code?: string }).code }, why)
  }

  /** Holds deletions back until they stop coming, then proposes them if the directory is still there. */
  #deletionSeen (path: string): void {
    // seen again (a remote change retried over it): not a new deletion, the flush is not put off
    if (this.#deletions.has(path) && this.#deletionTimer != null) return
    this.#deletions.add(path)
    clearTimeout(this.#deletionTimer)
    this.#deletionTimer = setTimeout(() => { void this.#flushDeletions() }, DELETE_SETTLE_MS)
    this.#deletionTimer.unref()
  }

  async #flushDeletions (): Promise<void> {
    const paths = [...this.#deletions]
    this.#deletions.clear()
    try {
      await checkDir(this.#opts.root, this.#opts.dirId)
    } catch (err) {
      this.#opts.fatal(err as Error)
      return
    }
    for (const path of paths) this.#opts.queue.push(path, async () => { await this.propose(path, true) })
  }

  /** Flow 1: if the user changed the path, tell the hub; apply what the hub answers. 'waiting':
   * nothing proposed, the path is a deleted directory whose children's tombstones are due;
   * 'deferred': a deletion held back until deletions stop coming (DELETE_SETTLE_MS). */
  async propose (path: string, deletionSettled = false): Promise<'waiting' | 'deferred' | undefined> {
    const { root, index, signal } = this.#opts
    const channel = this.#opts.channel()
    if (channel == null) return // the rescan after reconnecting finds it
    try {
      checkRelativePath(path)
      // the wire and the hub speak NFC; a name spelled otherwise here would come back as a
      // second, identical-looking name (README, Limits)
      if (path.normalize('NFC') !== path) throw new PathError('ERR_NOT_NFC', 'the name is not in Unicode NFC (decomposed accents): not synced')
    } catch (err) {
      this.#notSynced(path, 'not syncing a path with a name that cannot be synced', err)
      return
    }
    const abs = join(root, path)
    const rec = index.get(path)
    let local
    try {
      local = await localStat(abs)
    } catch (err) {
      if (!(err instanceof SymlinkInPathError)) throw err
      // a path "inside" a symlink is nothing synced: never read through the link (issue 17);
      // what the index had there is gone (a directory became a link)
      if (rec == null || rec.entry.deleted) {
        this.#notSynced(path, 'not syncing a path through a symlink', err)
        return
      }
      local = null
    }
    // an ignored path is never proposed, not even its deletion: ignoring deletes nothing anywhere
    const kind = local != null && local.kind !== 'other' ? local.kind : rec?.entry.kind
    if (kind != null && this.#opts.ignored?.(path, kind) === true) return
    const state = localState(local, rec)
    if (state === 'unchanged' || state === 'absent') return
    if (state === 'deleted') {
      if (!deletionSettled) {
        this.#deletionSeen(path)
        // the watcher may report a removed tree by its top alone
        if (rec!.entry.kind === 'dir') for (const child of index.liveUnder(path)) this.#deletionSeen(child)
        return 'deferred'
      }
      // what the index holds below a directory that went goes first: some of it may have come
      // in (an apply) after the deletion was first seen (fs-fuzz seed 124), and the hub is left
      // with no live entry under a deleted directory
      if (rec!.entry.kind === 'dir') for (const child of index.liveUnder(path)) await this.propose(child, true)
      const gone = tombstone(path, rec!.entry.kind, BigInt(Date.now()) * 1_000_000n)
      await this.#handleResult(path, await channel.propose(gone, rec!.seq), null, gone)
      return
    }
    if (local == null || local.kind === 'other') return
    if (local.kind === 'dir' && rec?.entry.deleted === true && this.#onlyOlderInside(path, rec.seq)) {
      // the hub deleted this directory and its children's tombstones are on their way: the last
      // one removes it. Proposing it would bring it back everywhere. (With anything newer than
      // the deletion inside, the directory is the user's again, and proposed.)
      return 'waiting'
    }
    // a directory the index does not hold as one (new, or made where a file was: rm x && mkdir
    // x): the watcher may watch nothing in it and have reported none of what is inside
    if (local.kind === 'dir' && (rec == null || rec.entry.deleted || rec.entry.kind !== 'dir')) {
      // a new one is chokidar's own (adding it again while chokidar reads it lost events in it)
      if (rec != null) this.#opts.dirReplaced?.(path)
      this.lookInside(path)
    }
    const built = await this.#buildEntry(path, abs, local)
    if (built === 'gone') return
    if (built == null) {
      // still being written: look again once it may have settled (a watcher event may not come)
      setTimeout(() => { if (!signal.aborted) this.changed(path) }, SETTLE_RETRY_MS).unref()
      return
    }
    await this.#shapeFirst(path, local, rec, channel, this.#reproposeParents.delete(path))
    const release = this.#opts.blocks.offer(path, built.content, local)
    try {
      const result = await channel.propose(built.entry, rec?.seq ?? 0, attachable(built.entry, built.content))
      await this.#handleResult(path, result, local, built.entry)
    } finally {
      release()
    }
    // the file's other names changed with it, and no watcher event says so
    if (local.kind === 'file' && (local.nlink ?? 1) > 1) for (const other of index.pathsWithIno(local.ino)) if (other !== path) this.changed(other)
    if (local.ctimeNs != null && BigInt(Date.now()) * 1_000_000n - local.ctimeNs < RECENT_CHANGE_NS) this.#recheckSoon(path)
  }

  /**
   * Keeps the hub's tree shape (reconcile/tree-shape.ts): parents the index does not hold as
   * directories are proposed as such first (all of them when `again`: the hub holds one as a file
   * the index has not heard of yet), and before a file or link replaces a directory, the
   * deletions of what the index holds below it (the user's rm -r is not waited for).
   */
  async #shapeFirst (path: string, local: LocalStat, rec: IndexRecord | undefined, channel: SyncChannel, again: boolean): Promise<void> {
    const { root, index } = this.#opts
    const isDir = (rec: IndexRecord | undefined): boolean => rec != null && !rec.entry.deleted && rec.entry.kind === 'dir'
    // the parent known as a directory: so were its own parents (one lookup for most proposals)
    const parent = path.lastIndexOf('/')
    for (let i = again || parent === -1 || !isDir(index.get(path.slice(0, parent))) ? path.indexOf('/') : -1; i !== -1; i = path.indexOf('/', i + 1)) {
      const dir = path.slice(0, i)
      const known = index.get(dir)
      if (!again && isDir(known)) continue
      let st
      try {
        st = localStatSync(join(root, dir))
      } catch {
        return
      }
      if (st?.kind !== 'dir') return
      const built = await this.#buildEntry(dir, join(root, dir), st)
      if (built == null || built === 'gone') return
      await this.#handleResult(dir, await channel.propose(built.entry, known?.seq ?? 0), st, built.entry)
    }
    if (local.kind !== 'dir' && rec != null && !rec.entry.deleted && rec.entry.kind === 'dir') {
      for (const child of index.liveUnder(path)) await this.propose(child, true)
    }
  }

  #recheckSoon (path: string): void {
    this.#recheck.set(path, Date.now())
    this.#recheckTimer ??= setTimeout(() => { this.#recheckDue() }, RECHECK_AFTER_MS).unref()
  }

  /** One lstat each (synchronous: thousands of fresh files make thousands of these). */
  #recheckDue (): void {
    this.#recheckTimer = undefined
    if (this.#opts.signal.aborted) return
    const due = Date.now() - RECHECK_AFTER_MS
    for (const [path, at] of this.#recheck) {
      if (at > due) continue
      this.#recheck.delete(path)
      try {
        if (localState(localStatSync(join(this.#opts.root, path)), this.#opts.index.get(path)) !== 'unchanged') this.changed(path)
      } catch (err) {
        if (err instanceof SymlinkInPathError) this.changed(path)
        else this.#opts.failed(path, err)
      }
    }
    if (this.#recheck.size > 0) this.#recheckTimer = setTimeout(() => { this.#recheckDue() }, RECHECK_AFTER_MS).unref()
  }

  /** true if the directory holds something and all of it is live in the index from before `seq` */
  #onlyOlderInside (dir: string, seq: number): boolean {
    const names = readdirInFolder(join(this.#opts.root, dir))
    return names.length > 0 && names.every(name => {
      const rec = this.#opts.index.get(`${dir}/${name}`)
      return rec != null && !rec.entry.deleted && rec.seq < seq
    })
  }

  /** Looks at everything directly in `dir` (a directory the watcher may not have watched). */
  lookInside (dir: string): void {
    let names: string[]
    try {
      names = readdirInFolder(join(this.#opts.root, dir))
    } catch {
      return
    }
    for (const name of names) this.changed(`${dir}/${name}`)
  }

  /** null: being written, look again later; 'gone': it went, its absence is the next look's */
  async #buildEntry (path: string, abs: string, local: LocalStat): Promise<{ entry: Entry, content: FileContent } | null | 'gone'> {
    const base = { path, kind: local.kind as Entry['kind'], size: 0, mtimeNs: local.mtimeNs, exec: false, deleted: false, hash: new Uint8Array(0), chunks: ChunkList.EMPTY, target: '' }
    const none: FileContent = { hash: base.hash, size: 0, chunks: ChunkList.EMPTY }
    if (local.kind === 'dir') return { entry: base, content: none }
    if (local.kind === 'symlink') return { entry: { ...base, target: local.target }, content: none }
    if (stillBeingWritten(local, BigInt(Date.now()) * 1_000_000n)) return null
    let content
    try {
      content = await readChunks(abs, local.size, this.#opts.signal)
    } catch (err) {
      if (err instanceof FileChangedError) return null
      if (!GONE_CODES.has((err as NodeJS.ErrnoException).code ?? '')) throw err
      log.debug({ path, code: (err as NodeJS.ErrnoException).code }, 'gone before it was read')
      this.changed(path)
      return 'gone'
    }
    const after = await localStat(abs)
    if (!sameStat(local, after)) {
      log.debug({ path }, 'file changed while reading; waiting for it to settle')
      return null
    }
    return { entry: { ...base, size: content.size, exec: local.exec, hash: content.hash, chunks: content.chunks }, content }
  }

  /** The path is looked at (and proposed) again later, with a growing wait, ~2 minutes in all. */
  #later (path: string): void {
    const tries = (this.#laterTries.get(path) ?? 0) + 1
    if (tries > MAX_LATER_TRIES) {
      this.#laterTries.delete(path)
      this.#reproposeParents.delete(path)
      return
    }
    this.#laterTries.set(path, tries)
    setTimeout(() => { if (!this.#opts.signal.aborted) this.changed(path) }, retryWaitMs(tries)).unref()
  }

  async #handleResult (path: string, result: Result, local: LocalStat | null, entry: Entry): Promise<void> {
    switch (result.outcome) {
      case 'accepted': {
        const isFile = entry.kind === 'file' && !entry.deleted
        this.#opts.index.put({ entry, seq: result.seq, stat: isFile ? local : null }, isFile)
        log.debug({ path, seq: result.seq }, 'proposal accepted')
        this.#laterTries.delete(path)
        return
      }
      case 'superseded':
        // the hub kept its version (ours survives as a conflict copy, or as a deletion it refused)
        log.info({ path, reason: result.reason }, 'the hub kept another version')
        if (result.current == null) return
        try {
          if (await this.#opts.apply(result.current, result.seq, local) === 'changed') this.changed(path)
        } catch (err) {
          if (!(err instanceof ApplyLaterError)) throw err
          // the hub's version cannot go in yet (its directory is still a file here, say): the
          // path is looked at again, and proposed, which brings the hub's answer once more
          log.debug({ path, code: err.code }, 'cannot apply the hub\'s version yet')
          this.#later(path)
          return
        }
        this.#laterTries.delete(path)
        return
      case 'rejected':
        if (SHAPE_REFUSALS.has(result.reason)) {
          // the way is not clear on the hub yet (tree-shape.ts): proposed again, parents first
          log.debug({ path, reason: result.reason }, 'the hub refused a change for now')
          if (result.reason === PARENT_NOT_DIR) this.#reproposeParents.add(path)
          this.#later(path)
          return
        }
        log.warn({ path, reason: result.reason }, 'the hub refused a change')
    }
  }
}
