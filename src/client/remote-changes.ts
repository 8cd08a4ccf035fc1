// Remote changes (the original's "fetch" thread): what the hub relays is decided against the
// disk and the index (reconcile/client-decide.ts), then applied, fetching the chunks this client
// lacks. Tracks the highest seq applied, which is where a reconnect resumes.
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { type FetchedBlock } from '../net/block-transfer.ts'
import { fetchOrdered, NoSourceError, type SpreadFetch } from '../net/multi-fetch.ts'
import { carriesBlocks } from '../protocol/codec.ts'
import type { PeerExchange } from './peer-exchange.ts'
import type { SyncChannel } from './sync-channel.ts'
import type { ChunkList } from '../chunk/chunk-list.ts'
import { BlockMissingError } from '../net/block-transfer.ts'
import { localStat } from '../fs/local-stat.ts'
import { FileChangedError, readChunks } from '../fs/read-chunks.ts'
import { PathError } from '../fs/safe-path.ts'
import { decideRemote, type LocalStat } from '../reconcile/client-decide.ts'
import { ProtocolError } from '../protocol/errors.ts'
import { applyEntry, ApplyError, ApplyLaterError, type ApplyContext, type ApplyOutcome } from './apply-remote.ts'
import { SymlinkInPathError } from '../fs/folder-boundary.ts'
import { RetryLater } from './retry-later.ts'
import { type ChannelHandlers } from './sync-channel.ts'
import { SeqTracker } from './seq-tracker.ts'
import { withAttached } from './attached-fetch.ts'
import { logger } from '../logger.ts'
import type { IndexStore } from '../index/index-store.ts'
import { tombstone, type Entry } from '../index/entry.ts'
import type { PathQueue } from './path-queue.ts'
import type { AttachedBlock, Changed, HolderList } from '../protocol/codec.ts'
import type { StatusBoard } from './status-board.ts'
import type { FilesInProgress } from './files-in-progress.ts'

const log = logger('client')

export interface RemoteChangesOptions {
  root: string
  index: IndexStore
  queue: PathQueue
  signal: AbortSignal
  /** the hub connection of the current session, if any */
  channel: () => SyncChannel | undefined
  peers: PeerExchange
  /** the current session's generation */
  generation: () => number
  /** a directory replaced something else (the watcher is told to watch it) */
  dirReplaced?: (path: string) => void
  /** the user's side of a path won (or changed meanwhile): look at it as a local change */
  proposeLocal: (path: string) => Promise<'waiting' | 'deferred' | undefined>
  /** counts what is pending and being fetched, for `distsync status` */
  board?: StatusBoard
  /** the folder's ignore rules: an ignored path is not applied; `skipped` remembers its seq */
  ignored?: (path: string, kind: 'file' | 'dir' | 'symlink') => boolean
  skipped?: (seq: number) => void
  /** files being built, served to other members as they are written */
  inProgress?: FilesInProgress
}

/** A change tried again; `gen` is the session it came in (its seq is still unfinished there)
 * or undefined once parked (its seq was let go). */
/** One relayed change being applied, retried or waiting for a holder. `gen` undefined: its seq
 * was let go already (a parked change tried again). */
/** `done`: tells the hub's window this change was tried once (called after its first run). */
interface Work { c: Changed, gen: number | undefined, abort: AbortController, holders: HolderList, attempt: number, spread?: SpreadFetch, done: () => void }

/** How far a fetch from several holders may run ahead of the chunk the file is written up to. */
const LOOKAHEAD_BYTES = 8 * 1024 * 1024
/** A change that found no holder is tried again when members or holders change, and after this
 * long regardless (a change may have come while its fetch was still failing). */
const WAITING_RETRY_MS = 30_000
/** what the hub sends with its own answers: it holds them */
const HUB_HOLDS: HolderList = { peers: [], held: true }

/** Not applicable yet, but likely once other changes are: a parent is still a file or a link
 * (about to become a directory), a directory still holds what is about to be deleted. A link
 * a peer put in a path is refused this way too: it stays refused, at the cost of a few looks. */
function applyLater (err: unknown): boolean {
  return err instanceof ApplyLaterError || err instanceof SymlinkInPathError
}

/** The local change was not proposed yet, so the hub's answer will not come: this change is
 * tried again (it may still win, and a deletion held back may never be proposed if the path
 * comes back as the index knows it). */
function notProposedYet (path: string, outcome: 'waiting' | 'deferred' | undefined): void {
  if (outcome === 'waiting') throw new ApplyLaterError('ERR_DIR_IN_THE_WAY', `${path}: a deleted directory is still being emptied`)
  if (outcome === 'deferred') throw new ApplyLaterError('ERR_DELETION_HELD', `${path}: its deletion here is not proposed yet`)
}

export class RemoteChanges {
  readonly #opts: RemoteChangesOptions
  #tracker: SeqTracker | undefined
  /** replay the journal from this seq at the next session (the ignore rules changed) */
  #rewindTo: number | undefined
  readonly #retry: RetryLater<Work>
  /** path -> the newest change of it being worked on */
  readonly #work = new Map<string, Work>()
  /** changes no holder could serve, by path: tried again when members or holders change */
  readonly #waiting = new Map<string, Work>()

  constructor (opts: RemoteChangesOptions) {
    this.#opts = opts
    this.#retry = new RetryLater<Work>((w, attempt) => { w.attempt = attempt; this.#run(w) }, w => w.c.entry.path)
    opts.signal.addEventListener('abort', () => { this.#retry.clear() }, { once: true })
    void this.#retryLoop()
  }

  /** `path` changed here (the watcher said so): changes held back at it, at a parent or below it
   * are tried now rather than at their next backoff (up to 30 s away). */
  localChanged (path: string): void {
    this.#retry.wake(path)
  }

  /** Changes that ran out of tries are tried once more (at each rescan). */
  retryParked (): void {
    this.#retry.retryParked()
  }

  /** A session starts: resume after the last seq applied. */
  opening (gen: number): { sinceSeq: number, handlers: ChannelHandlers } {
    const tracker = new SeqTracker(Math.min(this.#opts.index.lastSeq, this.#rewindTo ?? Infinity))
    this.#rewindTo = undefined
    this.#tracker = tracker
    // the hub sends again everything after the seq saved
    this.#waiting.clear()
    return {
      sinceSeq: tracker.applied,
      handlers: {
        changed: (c, done) => { this.#changed(c, gen, done) },
        caughtUp: seq => {
          log.info({ seq }, 'caught up with the hub')
          tracker.caughtUp(seq)
          this.#saveSeq(gen)
        },
        invalid: (seq, err) => {
          log.warn({ seq, err: err.message }, 'refused a change from the hub')
          tracker.received(seq)
          tracker.finished(seq)
        },
        members: update => { this.#opts.peers.updateMembers(update) },
        holders: (seq, holders) => { this.#holders(seq, holders) }
      }
    }
  }

  /** The next session asks the hub for everything after `seq` again. */
  rewind (seq: number): void {
    this.#rewindTo = Math.min(seq, this.#rewindTo ?? Infinity)
  }

  /** Makes the disk match `entry` (the hub's answer to a proposal it superseded, say). */
  async apply (entry: Entry, seq: number, seen: LocalStat | null, attached: AttachedBlock[] = [], work?: Work): Promise<ApplyOutcome> {
    const outcome = await applyEntry(this.#context(attached, entry, work), entry, seq, seen)
    if (outcome === 'applied') this.#holds(entry, seq)
    return outcome
  }

  /** This client now holds a version whose chunks move by pull: the hub lists it as a holder. */
  #holds (entry: Entry, seq: number): void {
    if (entry.kind === 'file' && !entry.deleted && !carriesBlocks(entry)) this.#opts.channel()?.applied(seq)
  }

  #holders (seq: number, holders: HolderList): void {
    for (const w of [...this.#work.values(), ...this.#waiting.values()]) {
      if (w.c.seq !== seq) continue
      w.holders = holders
      for (const src of this.#opts.peers.sources(holders)) w.spread?.addSource(src)
    }
    this.#opts.peers.holdersChanged()
  }

  async #retryLoop (): Promise<void> {
    const { signal } = this.#opts
    while (!signal.aborted) {
      const ac = new AbortController()
      await Promise.race([
        this.#opts.peers.changed(AbortSignal.any([signal, ac.signal])),
        sleep(WAITING_RETRY_MS, undefined, { signal: ac.signal, ref: false }).catch(() => {})
      ])
      ac.abort()
      const waiting = [...this.#waiting.values()]
      this.#waiting.clear()
      for (const w of waiting) {
        if ((w.gen != null && w.gen !== this.#opts.generation()) || w.abort.signal.aborted) continue
        log.debug({ path: w.c.entry.path, seq: w.c.seq }, 'holders changed; trying again')
        this.#run(w)
      }
    }
  }

  #saveSeq (gen: number): void {
    if (gen !== this.#opts.generation() || this.#tracker == null) return
    const seq = this.#tracker.applied
    if (seq !== this.#opts.index.lastSeq) this.#opts.index.lastSeq = seq
  }

  #changed (c: Changed, gen: number, done: () => void): void {
    const tracker = this.#tracker!
    tracker.received(c.seq)
    if (this.#opts.ignored?.(c.entry.path, c.entry.kind) === true) {
      this.#opts.skipped?.(c.seq)
      tracker.finished(c.seq)
      this.#saveSeq(gen)
      done()
      return
    }
    const path = c.entry.path
    // a newer version of the path: an older one still fetching, retrying or waiting is never applied
    const older = this.#work.get(path)
    if (older != null && older.c.seq < c.seq) older.abort.abort()
    const waited = this.#waiting.get(path)
    if (waited != null && waited.c.seq < c.seq) {
      this.#waiting.delete(path)
      this.#finished(waited)
    }
    const work: Work = { c, gen, abort: new AbortController(), holders: c.holders, attempt: 0, done }
    this.#work.set(path, work)
    this.#run(work)
  }

  #finished (w: Work): void {
    const path = w.c.entry.path
    if (this.#work.get(path) === w) {
      this.#work.delete(path)
      this.#opts.board?.inboundDone(path)
    }
    if (w.gen == null || w.gen !== this.#opts.generation() || this.#tracker == null) return
    this.#tracker.finished(w.c.seq)
    this.#saveSeq(w.gen)
  }

  #run (w: Work): void {
    const { c } = w
    this.#opts.board?.inbound(c.entry.path, c.entry.deleted ? 0 : c.entry.size)
    this.#opts.queue.push(c.entry.path, async () => {
      let done = false
      try {
        if (!w.abort.signal.aborted) await this.#applyRemote(w)
        done = true
      } catch (err) {
        if (w.abort.signal.aborted) { done = true; return }
        if (err instanceof NoSourceError && (w.gen == null || w.gen === this.#opts.generation())) {
          // keeps the old file; tried again when the hub lists new holders or members
          log.info({ path: c.entry.path, seq: c.seq, err: err.message }, 'no holder reachable; waiting for one')
          this.#waiting.set(c.entry.path, w)
          return
        }
        if (applyLater(err) && !this.#opts.signal.aborted) {
          const key = `${c.seq}\0${c.entry.path}`
          if (this.#retry.later(key, w, w.attempt + 1)) {
            log.debug({ path: c.entry.path, seq: c.seq, attempt: w.attempt + 1, code: (err as ApplyError).code, err: (err as Error).message }, 'cannot apply a change yet; trying again')
            return
          }
          // parked: its seq is let go (the session may resume past it), the change kept
          log.warn({ path: c.entry.path, seq: c.seq, code: (err as ApplyError).code, err: (err as Error).message }, 'could not apply a change; trying again at the next rescan')
          this.#finished(w)
          w.gen = undefined
          return
        }
        // a broken path or a bad chunk will not heal by retrying; a lost connection will
        done = err instanceof PathError || err instanceof ApplyError || err instanceof ProtocolError || err instanceof BlockMissingError
        if (!done) this.#opts.board?.inboundDone(c.entry.path)
        throw err
      } finally {
        if (done) this.#finished(w)
        // tried once: a change retried, waiting for a holder or parked is no longer the queue's
        w.done()
      }
    })
  }

  async #applyRemote (w: Work): Promise<void> {
    // the user's side was looked at but nothing was proposed: if the path went back meanwhile to
    // what the index knows (rmdir d, then mkdir d), the change is decided once more, and applies
    // (left as done, it was dropped: the hub held it, this client never applied it)
    if (await this.#decideAndApply(w, false) === 'looked') await this.#decideAndApply(w, true)
  }

  /** 'looked': the user's side was looked at (and proposed, or found nothing to propose).
   * `lookedAlready`: a decision for the user's side is not looked at a second time. */
  async #decideAndApply (w: Work, lookedAlready: boolean): Promise<'looked' | undefined> {
    const { c } = w
    const { entry, seq } = c
    const { root, index } = this.#opts
    const signal = AbortSignal.any([this.#opts.signal, w.abort.signal])
    const abs = join(root, entry.path)
    const rec = index.get(entry.path)
    if (rec != null && rec.seq >= seq) return
    let local
    try {
      local = await localStat(abs)
    } catch (err) {
      // a deletion of a path now "inside" a link: nothing of ours is there; only recorded
      if (!(err instanceof SymlinkInPathError) || !entry.deleted) throw err
      index.put({ entry: tombstone(entry.path, entry.kind, entry.mtimeNs), seq, stat: null })
      return
    }
    let action = decideRemote(local, rec, entry, seq)
    if (action === 'hash-local') {
      try {
        action = decideRemote(local, rec, entry, seq, (await readChunks(abs, local?.size ?? 0, signal)).hash)
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
        if (await this.apply(entry, seq, local, c.blocks, w) === 'applied') return
        return await this.#lookLocal(entry.path)
      case 'adopt':
        index.put({ entry, seq, stat: local?.kind === 'file' ? local : null }, entry.kind === 'file' && !entry.deleted)
        this.#holds(entry, seq)
        return
      case 'adopt-metadata':
        await this.apply(entry, seq, local)
        return
      case 'propose-local':
        if (!lookedAlready) return await this.#lookLocal(entry.path)
    }
  }

  async #lookLocal (path: string): Promise<'looked'> {
    notProposedYet(path, await this.#opts.proposeLocal(path))
    return 'looked'
  }

  #context (attached: AttachedBlock[], entry: Entry, work: Work | undefined): ApplyContext {
    return {
      root: this.#opts.root,
      ...(this.#opts.dirReplaced != null ? { dirReplaced: this.#opts.dirReplaced } : {}),
      ...(this.#opts.inProgress != null ? { inProgress: this.#opts.inProgress } : {}),
      index: this.#opts.index,
      fetch: withAttached(attached, refs => this.#fetch(refs, entry, work))
    }
  }

  async * #fetch (refs: ChunkList, entry: Entry, work: Work | undefined): AsyncGenerator<FetchedBlock> {
    const { peers } = this.#opts
    const signal = work == null ? this.#opts.signal : AbortSignal.any([this.#opts.signal, work.abort.signal])
    const sources = peers.sources(work?.holders ?? HUB_HOLDS)
    log.debug({ chunks: refs.length, sources: sources.map(s => `${s.id}/${s.tier}`) }, 'fetching chunks')
    const opts = { lookaheadBytes: LOOKAHEAD_BYTES, onSourceFailed: (id: string, err: Error) => { peers.sourceFailed(id, err) } }
    const transfer = this.#opts.board?.transfer(entry.path, entry.size)
    try {
      for await (const block of fetchOrdered(refs, sources, signal, opts, spread => { if (work != null) work.spread = spread })) {
        transfer?.received(block.data.byteLength)
        yield block
      }
    } finally {
      transfer?.end()
    }
    log.debug({ chunks: refs.length }, 'fetched chunks')
  }
}
