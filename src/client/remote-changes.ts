// Remote changes (the original's "fetch" thread): what the hub relays is decided against the
// disk and the index (reconcile/client-decide.ts), then applied, fetching the chunks this client
// lacks. Tracks the highest seq applied, which is where a reconnect resumes.
import { join } from 'node:path'
import { fetchBlocks, BlockMissingError } from '../net/block-transfer.ts'
import { localStat } from '../fs/local-stat.ts'
import { FileChangedError, readChunks } from '../fs/read-chunks.ts'
import { PathError } from '../fs/safe-path.ts'
import { decideRemote, type LocalStat } from '../reconcile/client-decide.ts'
import { ProtocolError } from '../protocol/errors.ts'
import { applyEntry, ApplyError, ApplyLaterError, type ApplyContext, type ApplyOutcome } from './apply-remote.ts'
import { SymlinkInPathError } from '../fs/folder-boundary.ts'
import { RetryLater } from './retry-later.ts'
import { ChannelClosedError, type ChannelHandlers } from './sync-channel.ts'
import { SeqTracker } from './seq-tracker.ts'
import { withAttached } from './attached-fetch.ts'
import { logger } from '../logger.ts'
import type { IndexStore } from '../index/index-store.ts'
import { tombstone, type Entry } from '../index/entry.ts'
import type { PathQueue } from './path-queue.ts'
import type { AttachedBlock, Changed } from '../protocol/codec.ts'
import type { Connection } from '@libp2p/interface'
import type { StatusBoard } from './status-board.ts'

const log = logger('client')

export interface RemoteChangesOptions {
  root: string
  index: IndexStore
  queue: PathQueue
  signal: AbortSignal
  /** the hub connection of the current session, if any */
  connection: () => Connection | undefined
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
}

/** A change tried again; `gen` is the session it came in (its seq is still unfinished there)
 * or undefined once parked (its seq was let go). */
interface Retry { c: Changed, gen: number | undefined }

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
  readonly #retry: RetryLater<Retry>

  constructor (opts: RemoteChangesOptions) {
    this.#opts = opts
    this.#retry = new RetryLater<Retry>((r, attempt) => { this.#push(r.c, r.gen, attempt) })
    opts.signal.addEventListener('abort', () => { this.#retry.clear() }, { once: true })
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
    return {
      sinceSeq: tracker.applied,
      handlers: {
        changed: c => { this.#changed(c, gen) },
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
      }
    }
  }

  /** The next session asks the hub for everything after `seq` again. */
  rewind (seq: number): void {
    this.#rewindTo = Math.min(seq, this.#rewindTo ?? Infinity)
  }

  /** Makes the disk match `entry` (the hub's answer to a proposal it superseded, say). */
  async apply (entry: Entry, seq: number, seen: LocalStat | null, attached: AttachedBlock[] = []): Promise<ApplyOutcome> {
    return await applyEntry(this.#context(attached, entry), entry, seq, seen)
  }

  #saveSeq (gen: number): void {
    if (gen !== this.#opts.generation() || this.#tracker == null) return
    const seq = this.#tracker.applied
    if (seq !== this.#opts.index.lastSeq) this.#opts.index.lastSeq = seq
  }

  #changed (c: Changed, gen: number): void {
    const tracker = this.#tracker!
    tracker.received(c.seq)
    if (this.#opts.ignored?.(c.entry.path, c.entry.kind) === true) {
      this.#opts.skipped?.(c.seq)
      tracker.finished(c.seq)
      this.#saveSeq(gen)
      return
    }
    this.#push(c, gen, 0)
  }

  /** `gen` undefined: the seq was let go already (a parked change tried again). */
  #push (c: Changed, gen: number | undefined, attempt: number): void {
    const tracker = this.#tracker!
    this.#opts.board?.inbound(c.entry.path, c.entry.deleted ? 0 : c.entry.size)
    this.#opts.queue.push(c.entry.path, async () => {
      let done = false
      try {
        await this.#applyRemote(c)
        done = true
      } catch (err) {
        if (applyLater(err) && !this.#opts.signal.aborted) {
          const key = `${c.seq}\0${c.entry.path}`
          const retry: Retry = { c, gen }
          if (this.#retry.later(key, retry, attempt + 1)) {
            log.debug({ path: c.entry.path, seq: c.seq, attempt: attempt + 1, code: (err as ApplyError).code, err: (err as Error).message }, 'cannot apply a change yet; trying again')
            return
          }
          // parked: its seq is let go (the session may resume past it), the change kept
          retry.gen = undefined
          log.warn({ path: c.entry.path, seq: c.seq, code: (err as ApplyError).code, err: (err as Error).message }, 'could not apply a change; trying again at the next rescan')
          done = true
          return
        }
        // a broken path or a bad chunk will not heal by retrying; a lost connection will
        done = err instanceof PathError || err instanceof ApplyError || err instanceof ProtocolError || err instanceof BlockMissingError
        throw err
      } finally {
        this.#opts.board?.inboundDone(c.entry.path)
        if (done && gen != null && gen === this.#opts.generation()) {
          tracker.finished(c.seq)
          this.#saveSeq(gen)
        }
      }
    })
  }

  async #applyRemote (c: Changed): Promise<void> {
    const { entry, seq } = c
    const { root, index, signal } = this.#opts
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
        if (await this.apply(entry, seq, local, c.blocks) === 'changed') notProposedYet(entry.path, await this.#opts.proposeLocal(entry.path))
        return
      case 'adopt':
        index.put({ entry, seq, stat: local?.kind === 'file' ? local : null }, entry.kind === 'file' && !entry.deleted)
        return
      case 'adopt-metadata':
        await this.apply(entry, seq, local)
        return
      case 'propose-local':
        notProposedYet(entry.path, await this.#opts.proposeLocal(entry.path))
    }
  }

  #context (attached: AttachedBlock[], entry: Entry): ApplyContext {
    return {
      root: this.#opts.root,
      ...(this.#opts.dirReplaced != null ? { dirReplaced: this.#opts.dirReplaced } : {}),
      index: this.#opts.index,
      fetch: withAttached(attached, refs => this.#fetch(refs, entry))
    }
  }

  async * #fetch (refs: Parameters<typeof fetchBlocks>[1], entry: Entry): ReturnType<typeof fetchBlocks> {
    const connection = this.#opts.connection()
    if (connection == null) throw new ChannelClosedError('not connected to the hub')
    log.debug({ chunks: refs.length }, 'fetching chunks')
    const transfer = this.#opts.board?.transfer(entry.path, entry.size)
    try {
      for await (const block of fetchBlocks(connection, refs, this.#opts.signal)) {
        transfer?.received(block.data.byteLength)
        yield block
      }
    } finally {
      transfer?.end()
    }
    log.debug({ chunks: refs.length }, 'fetched chunks')
  }
}
