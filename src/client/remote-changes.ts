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
import { applyEntry, ApplyError, type ApplyContext, type ApplyOutcome } from './apply-remote.ts'
import { ChannelClosedError, type ChannelHandlers } from './sync-channel.ts'
import { SeqTracker } from './seq-tracker.ts'
import { withAttached } from './attached-fetch.ts'
import { logger } from '../logger.ts'
import type { IndexStore } from '../index/index-store.ts'
import type { Entry } from '../index/entry.ts'
import type { PathQueue } from './path-queue.ts'
import type { AttachedBlock, Changed } from '../protocol/codec.ts'
import type { Connection } from '@libp2p/interface'

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
  /** the user's side of a path won (or changed meanwhile): look at it as a local change */
  proposeLocal: (path: string) => Promise<void>
}

export class RemoteChanges {
  readonly #opts: RemoteChangesOptions
  #tracker: SeqTracker | undefined

  constructor (opts: RemoteChangesOptions) {
    this.#opts = opts
  }

  /** A session starts: resume after the last seq applied. */
  opening (gen: number): { sinceSeq: number, handlers: ChannelHandlers } {
    const tracker = new SeqTracker(this.#opts.index.lastSeq)
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

  /** Makes the disk match `entry` (the hub's answer to a proposal it superseded, say). */
  async apply (entry: Entry, seq: number, seen: LocalStat | null, attached: AttachedBlock[] = []): Promise<ApplyOutcome> {
    return await applyEntry(this.#context(attached), entry, seq, seen)
  }

  #saveSeq (gen: number): void {
    if (gen !== this.#opts.generation() || this.#tracker == null) return
    const seq = this.#tracker.applied
    if (seq !== this.#opts.index.lastSeq) this.#opts.index.lastSeq = seq
  }

  #changed (c: Changed, gen: number): void {
    const tracker = this.#tracker!
    tracker.received(c.seq)
    this.#opts.queue.push(c.entry.path, async () => {
      let done = false
      try {
        await this.#applyRemote(c)
        done = true
      } catch (err) {
        // a broken path or a bad chunk will not heal by retrying; a lost connection will
        done = err instanceof PathError || err instanceof ApplyError || err instanceof ProtocolError || err instanceof BlockMissingError
        throw err
      } finally {
        if (done && gen === this.#opts.generation()) {
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
    const local = await localStat(abs)
    const rec = index.get(entry.path)
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
        if (await this.apply(entry, seq, local, c.blocks) === 'changed') await this.#opts.proposeLocal(entry.path)
        return
      case 'adopt':
        index.put({ entry, seq, stat: local?.kind === 'file' ? local : null }, entry.kind === 'file' && !entry.deleted)
        return
      case 'adopt-metadata':
        await this.apply(entry, seq, local)
        return
      case 'propose-local':
        await this.#opts.proposeLocal(entry.path)
    }
  }

  #context (attached: AttachedBlock[]): ApplyContext {
    return {
      root: this.#opts.root,
      index: this.#opts.index,
      fetch: withAttached(attached, refs => this.#fetch(refs))
    }
  }

  async * #fetch (refs: Parameters<typeof fetchBlocks>[1]): ReturnType<typeof fetchBlocks> {
    const connection = this.#opts.connection()
    if (connection == null) throw new ChannelClosedError('not connected to the hub')
    log.debug({ chunks: refs.length }, 'fetching chunks')
    yield * fetchBlocks(connection, refs, this.#opts.signal)
    log.debug({ chunks: refs.length }, 'fetched chunks')
  }
}
