// The hub: orders every change in its folder's journal, stores each distinct chunk once (for all
// folders), and relays each change to every client of that folder but its sender.
import { join } from 'node:path'
import { mkdir } from 'node:fs/promises'
import { mkdirSync } from 'node:fs'
import { SYNC_PROTOCOL } from '../protocol/constants.ts'
import { carriesBlocks, decodeClientMessage, encodeHubMessage, type AttachedBlock, type HolderList, type Propose, type Result } from '../protocol/codec.ts'
import { openBlock } from '../net/block-codec.ts'
import type { JournalRecord } from '../index/journal-store.ts'
import { ChunkStore } from '../store/chunk-store.ts'
import { createNode } from '../net/node.ts'
import { peerIdOf } from '../net/identity.ts'
import { BlockMissingError, fetchBlocks, handleBlocks, type BlockSource } from '../net/block-transfer.ts'
import { FetchIdleError, MemberLimits, proposalBytes } from './member-limits.ts'
import { LogLimit } from '../log-limit.ts'
import { TurnSlicer } from '../net/turn-slicer.ts'
import { readFrame } from '../net/frames.ts'
import { decideProposal, type ConflictMode } from '../reconcile/hub-decide.ts'
import { decideShape } from '../reconcile/tree-shape.ts'
import { freeConflictCopyPath } from '../reconcile/conflict-name.ts'
import { sameContent, type Entry } from '../index/entry.ts'
import type { ChunkList } from '../chunk/chunk-list.ts'
import type { StoredBlock } from '../net/block-codec.ts'
import { Session } from './session.ts'
import { HolderBook } from './holder-book.ts'
import { MemberNews, memberNewsDelay, membersSnapshot } from './member-news.ts'
import { HubCopy, type ProposalCharge } from './hub-copy.ts'
import { multiaddr } from '@multiformats/multiaddr'
import { ProtocolError } from '../protocol/errors.ts'
import { Folders, type Folder } from './folders.ts'
import { admitsToFolder, gateList, type Membership } from './membership.ts'
import { DEFAULT_FOLDER } from '../protocol/folder-name.ts'
import { logger } from '../logger.ts'
import type { Libp2p } from 'libp2p'
import type { PrivateKey } from '@libp2p/interface'

const log = logger('hub')

/** A chunk that came with a proposal is not what its hash says: that proposal is refused. */
class AttachedBlockError extends Error {
  override name = 'AttachedBlockError'
  readonly code = 'ERR_BAD_ATTACHED_BLOCK'
}
const PARALLEL_CHUNK_WRITES = 8

export interface HubOptions {
  dataDir: string
  privateKey: PrivateKey
  listen: string[]
  /** who may sync which folder */
  members: Membership
  conflicts: ConflictMode
  /** swarm key (src/net/psk.ts): without it no peer completes a connection */
  psk?: Uint8Array
}

/** Counters persisted for `distsync status`: what crossed the wire as chunk data. */
interface Traffic { chunkBytesIn: number, chunkBytesOut: number }

/** A folder's members online, who holds which of its versions, the hub's copies of them, and
 * the joins and leaves its sessions have not been told yet. */
interface FolderPeers { book: HolderBook, copy: HubCopy, news: MemberNews }

/** Only versions whose chunks move by pull have holders worth listing: a small file travels with
 * its entry, a deletion or a directory has no chunks. (Every accepted record was listed: a Map
 * entry and a Set per file of a 100,000-file tree, kept while its proposer stayed online.) */
function pulled (entry: Entry): boolean {
  return entry.kind === 'file' && !entry.deleted && !carriesBlocks(entry)
}

export class HubService {
  readonly #opts: HubOptions
  readonly #folders: Folders
  readonly #chunks: ChunkStore
  /** folder and peer -> its session there */
  readonly #sessions = new Map<string, Session>()
  readonly #abort = new AbortController()
  readonly #traffic: Traffic = { chunkBytesIn: 0, chunkBytesOut: 0 }
  readonly #peers = new Map<string, FolderPeers>()
  readonly #peerId: string
  readonly #members = new MemberLimits()
  /** what one peer makes the hub log, counted past a few lines */
  readonly #peerLog = new LogLimit(log)
  readonly #failed = Promise.withResolvers<never>()
  #node: Libp2p | undefined
  #flushTimer: NodeJS.Timeout | undefined

  constructor (opts: HubOptions) {
    this.#opts = opts
    this.#peerId = peerIdOf(opts.privateKey)
    // the journals open here, before start(): a data folder named for the first time must exist
    mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 })
    // the hub cannot go on without its journals: every seq after the lost ones would be wrong
    this.#folders = new Folders(opts.dataDir, err => { this.#failed.reject(err) })
    this.#failed.promise.catch(() => {})
    this.#chunks = new ChunkStore(join(opts.dataDir, 'chunks'))
  }

  /** The default folder's journal also keeps the hub's traffic counters. */
  get #meta (): Folder { return this.#folders.get(DEFAULT_FOLDER) }

  get peerId (): string { return this.#peerId }

  /** Rejects when the hub cannot go on (its journal could not be saved). */
  get failed (): Promise<never> { return this.#failed.promise }

  async start (): Promise<string[]> {
    await mkdir(this.#opts.dataDir, { recursive: true })
    const saved = this.#meta.journal.meta()
    this.#traffic.chunkBytesIn = Number(saved.chunk_bytes_in ?? 0)
    this.#traffic.chunkBytesOut = Number(saved.chunk_bytes_out ?? 0)
    await this.#chunks.init()
    const allow = gateList(this.#opts.members)
    const node = await createNode({
      privateKey: this.#opts.privateKey,
      listen: this.#opts.listen,
      ...(allow != null ? { allow } : {}),
      // clients ping the hub every 10 s; the hub only has to drop a frozen client eventually (a
      // dead one closes its connection): its own pings were a fifth of its idle CPU at 30 s
      pingIntervalMs: 60_000,
      pingTimeoutMs: 20_000,
      ...(this.#opts.psk != null ? { psk: this.#opts.psk } : {})
    })
    this.#node = node
    const signal = this.#abort.signal
    await node.handle(SYNC_PROTOCOL, (stream, connection) => {
      const session = new Session(stream, connection, signal)
      void this.#runSession(session).catch(err => {
        this.#peerLog.line('warn', session.peer, { err: (err as Error).message }, 'sync stream closed')
        stream.abort(err as Error)
      }).finally(() => {
        if (session.folder == null) return
        const key = sessionKey(session.folder.name, session.peer)
        if (this.#sessions.get(key) !== session) return
        this.#sessions.delete(key)
        this.#memberLeft(session.folder, session.peer)
      })
    }, { maxInboundStreams: 4 })
    await handleBlocks(node, peer => {
      // the store is shared by all folders: a peer gets only chunks of folders it syncs now
      // cut-through: a chunk the hub is still receiving is answered when it lands
      const source: BlockSource = { get: async hash => this.#readableBy(peer, hash) ? await this.#serve(peer, hash) : null }
      return source
    }, signal, {
      onEnd: (peer, err) => { this.#peerLog.line('debug', peer, { err: err.message }, 'blocks stream ended') },
      onSent: bytes => { this.#traffic.chunkBytesOut += bytes }
    })
    node.addEventListener('peer:connect', evt => { log.info({ peer: evt.detail.toString() }, 'client connected') })
    node.addEventListener('peer:disconnect', evt => { log.info({ peer: evt.detail.toString() }, 'client disconnected') })
    await node.start()
    this.#flushTimer = setInterval(() => { this.#flushTraffic(); this.#peerLog.flush() }, 1000)
    const peer = node.peerId.toString()
    log.info({ peer, headSeq: this.#meta.journal.headSeq }, 'hub started')
    return node.getMultiaddrs().map(ma => ma.toString()).map(ma => ma.includes('/p2p/') ? ma : `${ma}/p2p/${peer}`)
  }

  /** Per chunk served: a lookup per folder (a few), not a walk over every session. */
  #readableBy (peer: string, hash: Uint8Array): boolean {
    for (const folder of this.#folders.values()) {
      if (this.#sessions.has(sessionKey(folder.name, peer)) && folder.journal.hasChunk(hash)) return true
    }
    return false
  }

  /** From the store, or for a chunk of a pending version of the peer's folders, once it lands. */
  async #serve (peer: string, hash: Uint8Array): Promise<StoredBlock | null> {
    // the store first: looking through the pending versions costs more, and most asks are for held chunks
    const stored = await this.#chunks.get(hash)
    if (stored != null) return stored
    // a lookup per folder, as #readableBy: not a walk over every session per chunk asked
    for (const [name, { copy }] of this.#peers) {
      if (this.#sessions.has(sessionKey(name, peer)) && copy.wants(hash)) return await copy.get(hash)
    }
    return null
  }

  /** The folder's members and copies; made with the folder's first session (its pending entries resumed then). */
  #peersOf (folder: Folder): FolderPeers {
    let fp = this.#peers.get(folder.name)
    if (fp != null) return fp
    const book = new HolderBook()
    const copy = new HubCopy({
      chunks: this.#chunks,
      journal: folder.journal,
      book,
      connectionOf: peer => this.#sessions.get(sessionKey(folder.name, peer))?.connection,
      held: rec => { this.#holdersChanged(folder, rec.seq, true) },
      bytesIn: n => { this.#traffic.chunkBytesIn += n },
      bounded: async (origin, signal, fn) => await this.#members.fetch(origin, signal, fn),
      signal: this.#abort.signal
    })
    // every member of the folder is told who is online there and where to dial them
    const news = new MemberNews(updates => { for (const update of updates) this.#toMembers(folder, encodeHubMessage({ type: 'members', update })) }, () => memberNewsDelay(book.online))
    this.#peers.set(folder.name, fp = { book, copy, news })
    // entries announced before a restart: taken from whoever holds them once members are back
    for (const rec of folder.journal.pending()) copy.add(rec)
    return fp
  }

  async stop (): Promise<void> {
    this.#abort.abort()
    clearInterval(this.#flushTimer)
    for (const { news } of this.#peers.values()) news.close()
    // libp2p's stop once hung after a peer had been killed: bound it
    await Promise.race([this.#node?.stop(), new Promise(resolve => setTimeout(resolve, 3000).unref())])
    this.#flushTraffic()
    this.#folders.close()
    this.#chunks.close()
  }

  #flushTraffic (): void {
    const { journal } = this.#meta
    journal.setMeta('chunk_bytes_in', String(this.#traffic.chunkBytesIn))
    journal.setMeta('chunk_bytes_out', String(this.#traffic.chunkBytesOut))
  }

  async #runSession (session: Session): Promise<void> {
    const signal = this.#abort.signal
    // one member's buffered frames must not hold the event loop (other members' pings)
    const turns = new TurnSlicer()
    while (!signal.aborted) {
      await turns.pass()
      const frame = await readFrame(session.lp, signal)
      if (frame == null) break
      const msg = decodeClientMessage(frame)
      switch (msg.type) {
        case 'hello': {
          if (session.folder != null) throw new ProtocolError('ERR_SECOND_HELLO', 'a session says hello once')
          const { folder: name, sinceSeq } = msg.hello
          if (!admitsToFolder(this.#opts.members, session.peer, name)) {
            // the same words whether the folder exists or not: a peer learns nothing of folders it is not in
            log.warn({ peer: session.peer, folder: name }, 'refused a client: not a member of that folder')
            await session.sendRefused('this client is not a member of that folder on this hub')
            await session.stream.close({ signal }).catch(() => {})
            return
          }
          const folder = this.#folders.get(name)
          const key = sessionKey(name, session.peer)
          this.#sessions.get(key)?.stream.abort(new Error('replaced by a newer session of the same peer'))
          this.#sessions.set(key, session)
          log.info({ peer: session.peer, folder: name, since: sinceSeq, head: folder.journal.headSeq }, 'client subscribed')
          session.subscribe(folder, sinceSeq, async rec => await this.#changedFrame(folder, rec))
          const { book, copy, news } = this.#peersOf(folder)
          const addrs = dialable(msg.hello.addrs ?? [])
          book.join(session.peer, addrs)
          for (const update of membersSnapshot(book.members())) void session.send(encodeHubMessage({ type: 'members', update })).catch(() => {})
          news.joined(session.peer, addrs)
          // a proposer that comes back is listed again for what it proposed (a missing answer costs little)
          for (const seq of copy.proposedBy(session.peer)) if (book.add(seq, session.peer)) this.#holdersChanged(folder, seq)
          copy.consider()
          break
        }
        case 'applied':
          if (session.folder == null) throw new ProtocolError('ERR_NO_HELLO', 'applied before hello')
          this.#applied(session.folder, session.peer, msg.seq)
          break
        case 'progress':
          session.progress(msg.frames, msg.bytes)
          break
        case 'propose': {
          if (session.folder == null) throw new ProtocolError('ERR_NO_HELLO', 'a proposal before hello')
          // proposals run concurrently: each may wait on its own chunk transfer. Past the
          // member's budget of proposals in flight, the next frame waits (this stops reading)
          const charge: ProposalCharge = { release: await this.#members.admitProposal(session.peer, proposalBytes(msg.propose), signal), kept: false }
          void this.#propose(session, msg.propose, charge).then(result => session.sendResult(result)).catch(err => {
            this.#peerLog.line('warn', session.peer, { path: msg.propose.entry.path, err: (err as Error).message }, 'proposal failed; closing the sync stream')
            session.stream.abort(err as Error)
          }).finally(() => { if (!charge.kept) charge.release() })
          break
        }
        case 'invalid-propose':
          this.#peerLog.line('warn', session.peer, { err: msg.invalid.error.message }, 'refused a proposal')
          await session.sendResult({ id: msg.invalid.id, outcome: 'rejected', seq: 0, reason: msg.invalid.error.message })
          break
      }
    }
    await session.stream.close({ signal }).catch(() => {})
  }

  /** `charge`: the proposal's share of the member's budget, kept by the hub's copy while the entry is pending. */
  async #propose (session: Session, p: Propose, charge: ProposalCharge, fetchedFirst = false): Promise<Result> {
    const { entry } = p
    const folder = session.folder!
    const { journal } = folder
    const { book, copy: hubCopy } = this.#peersOf(folder)
    const reject = (reason: string): Result => {
      this.#peerLog.line('warn', session.peer, { path: entry.path, reason }, 'refused a proposal')
      return { id: p.id, outcome: 'rejected', seq: 0, reason }
    }
    // the store lacks some chunk: the entry is committed pending (its list is made only where it is fetched here)
    let lacking = false
    if (!entry.deleted && entry.kind === 'file') {
      try {
        await this.#storeAttached(entry, p.blocks)
        lacking = hubCopy.lacksAny(entry)
        if (lacking && carriesBlocks(entry)) {
          // a small file whose chunks did not come with it: the hub takes them before it commits,
          // as every small file is held when it is announced (one round trip)
          await this.#fetchMissing(session, hubCopy.missingChunks(entry))
          lacking = hubCopy.lacksAny(entry)
        }
      } catch (err) {
        // a chunk gone, or not what its hash says: the proposer's file changed under it (its
        // watcher proposes the new content); the session and other proposals go on
        if (err instanceof BlockMissingError || (err instanceof ProtocolError && err.code === 'ERR_BAD_BLOCK')) return reject('the file changed while it was being sent')
        if (err instanceof AttachedBlockError || err instanceof FetchIdleError) return reject(err.message)
        throw err
      }
    }
    // From here to the commit nothing awaits: decisions on one path cannot interleave. Neither
    // the proposer nor anyone else hears of a record before it is on disk. The hub does not
    // wait to hold a big file's chunks (flow 2): the entry is pending until its copy lands.
    const current = journal.get(entry.path)
    const decision = decideShape(entry, current?.entry, journal, this.#opts.conflicts === 'copy') ?? decideProposal(current, entry, p.baseSeq, this.#opts.conflicts, session.peer)
    let result: Result
    switch (decision.action) {
      case 'refuse':
        // never a live entry below a file or link (tree-shape.ts): the proposer clears the way first
        log.info({ peer: session.peer, path: entry.path, reason: decision.reason }, 'refused for now')
        return { id: p.id, outcome: 'rejected', seq: 0, reason: decision.reason }
      case 'same':
        if (pulled(entry) && book.add(decision.seq, session.peer)) this.#holdersChanged(folder, decision.seq)
        result = { id: p.id, outcome: 'accepted', seq: decision.seq, reason: '' }
        break
      case 'accept': {
        // the replaced content's conflict copy and the proposal land together or not at all
        let copy: Entry | undefined
        if (decision.copyCurrent && current != null) {
          copy = this.#conflictCopy(folder, current.entry, current.origin)
          if (copy == null) return reject('no free conflict copy name left for this path')
        }
        const committed = journal.commit([
          ...(copy != null && current != null ? [{ entry: copy, origin: this.#peerId, held: current.held }] : []),
          { entry, origin: session.peer, held: !lacking }
        ])
        // holders are listed before any session can send the record (it waits for durable())
        if (copy != null && current != null) for (const h of book.holders(current.seq)) book.add(committed[0]!.seq, h)
        const rec = committed.at(-1)!
        if (pulled(entry) || lacking) book.add(rec.seq, session.peer)
        for (const c of committed) hubCopy.replaced(c.entry.path, c.seq)
        if (current != null) book.forget(current.seq)
        await journal.durable()
        for (const c of committed) if (!c.held) hubCopy.add(c, c === rec ? charge : undefined)
        result = { id: p.id, outcome: 'accepted', seq: rec.seq, reason: '' }
        // one line per file is debug: at info, a 100,000-file sync wrote 100,000 lines, synchronously
        log.debug({ peer: session.peer, path: entry.path, seq: rec.seq, deleted: entry.deleted, held: rec.held, conflict: decision.copyCurrent }, 'accepted')
        break
      }
      case 'supersede': {
        if (decision.copyProposal) {
          // the proposer keeps no copy of a losing version: the hub takes it before it answers
          if (!fetchedFirst && lacking) {
            try {
              await this.#fetchMissing(session, hubCopy.missingChunks(entry))
            } catch (err) {
              if (err instanceof BlockMissingError || (err instanceof ProtocolError && err.code === 'ERR_BAD_BLOCK')) return reject('the file changed while it was being sent')
              if (err instanceof FetchIdleError) return reject(err.message)
              throw err
            }
            return await this.#propose(session, p, charge, true)
          }
          const copy = this.#conflictCopy(folder, entry, session.peer)
          if (copy == null) return reject('no free conflict copy name left for this path')
          journal.commit([{ entry: copy, origin: this.#peerId }])
          await journal.durable()
        }
        result = { id: p.id, outcome: 'superseded', seq: current!.seq, current: current!.entry, reason: decision.reason }
        log.info({ peer: session.peer, path: entry.path, reason: decision.reason }, 'superseded')
        break
      }
    }
    for (const s of this.#sessions.values()) if (s.folder === folder) s.poke()
    return result
  }

  /** A member reports it holds a version (it applied it). */
  #applied (folder: Folder, peer: string, seq: number): void {
    const rec = folder.journal.bySeq(seq)
    if (rec == null || !pulled(rec.entry)) return
    const { book, copy } = this.#peersOf(folder)
    if (!book.add(seq, peer)) return
    this.#holdersChanged(folder, seq)
    copy.consider(seq)
  }

  #memberLeft (folder: Folder, peer: string): void {
    const { book, copy, news } = this.#peersOf(folder)
    for (const seq of book.leave(peer)) this.#holdersChanged(folder, seq)
    copy.originLeft(peer)
    news.left(peer)
    copy.consider()
  }

  /** Holders of `seq` changed: its frame is made again, and members are told while it is pending. */
  #holdersChanged (folder: Folder, seq: number, nowHeld = false): void {
    folder.frames.forget(seq)
    const rec = folder.journal.bySeq(seq)
    if (rec == null || (rec.held && !nowHeld)) return
    this.#toMembers(folder, encodeHubMessage({ type: 'holders', seq, holders: this.#holderList(folder, rec) }))
  }

  #holderList (folder: Folder, rec: JournalRecord): HolderList {
    if (!pulled(rec.entry)) return { peers: [], held: rec.held }
    return { peers: this.#peersOf(folder).book.listed(rec.seq), held: rec.held }
  }

  /** One frame to every session of the folder (a session that has gone is left to its own end). */
  #toMembers (folder: Folder, frame: Uint8Array): void {
    for (const s of this.#sessions.values()) if (s.folder === folder) void s.send(frame).catch(() => {})
  }

  /**
   * The losing entry under a conflict copy name that replaces nothing else: a second loser of
   * the same path, second and peer gets "-2", never the first one's place. Undefined when every
   * name is taken.
   */
  #conflictCopy (folder: Folder, loser: Entry, loserPeer: string): Entry | undefined {
    const path = freeConflictCopyPath(loser.path, loser.mtimeNs, loserPeer, candidate => {
      const there = folder.journal.get(candidate)?.entry
      if (there == null || there.deleted) return 'nothing'
      return sameContent(there, loser) ? 'this content' : 'other content'
    })
    return path == null ? undefined : { ...loser, path }
  }

  /** Verifies and stores the chunks that came with a proposal. */
  async #storeAttached (entry: Entry, blocks: AttachedBlock[]): Promise<void> {
    const verified = blocks.filter(b => {
      if (this.#chunks.has(b.hash)) return false
      try {
        openBlock(b, b.hash, entry.chunks.size(entry.chunks.indexOf(b.hash)))
      } catch (err) {
        throw new AttachedBlockError(`a chunk sent with the file: ${(err as Error).message}`)
      }
      return true
    })
    // together: the store commits the chunks of one event-loop turn at once
    await Promise.all(verified.map(async b => { await this.#chunks.put(b.hash, b) }))
    for (const b of verified) this.#traffic.chunkBytesIn += b.data.byteLength
  }

  /** A record as the Changed frame every session sends; the hub's own records (conflict copies) go with no origin. */
  async #changedFrame (folder: Folder, rec: JournalRecord): Promise<Uint8Array> {
    const frame = await folder.frames.get(rec.seq, async () => {
      const blocks = await this.#attachable(rec.entry)
      const changed = { entry: rec.entry, seq: rec.seq, origin: rec.origin === this.#peerId ? '' : rec.origin, blocks, holders: this.#holderList(folder, rec) }
      return { bytes: encodeHubMessage({ type: 'changed', changed }), blockBytes: blocks.reduce((n, b) => n + b.data.byteLength, 0) }
    })
    this.#traffic.chunkBytesOut += frame.blockBytes
    return frame.bytes
  }

  /** A small file's chunks, to travel with its entry; none if one is missing (the client fetches). */
  async #attachable (entry: Entry): Promise<AttachedBlock[]> {
    if (!carriesBlocks(entry)) return []
    const blocks: AttachedBlock[] = []
    for (const c of entry.chunks) {
      const b = await this.#chunks.get(c.hash)
      if (b == null) return []
      blocks.push({ hash: c.hash, ...b })
    }
    return blocks
  }

  /** Asks the proposer for the chunks the store lacks (within the member's fetch bounds). */
  async #fetchMissing (session: Session, missing: ChunkList): Promise<void> {
    await this.#members.fetch(session.peer, this.#abort.signal, async (signal, progress) => { await this.#fetchMissingNow(session, missing, signal, progress) })
  }

  /** Verifies and stores each fetched chunk. */
  async #fetchMissingNow (session: Session, missing: ChunkList, signal: AbortSignal, progress: () => void): Promise<void> {
    // writes overlap the transfer, a few at a time
    const writing = new Set<Promise<void>>()
    for await (const block of fetchBlocks(session.connection, missing, signal)) {
      progress()
      this.#traffic.chunkBytesIn += block.wire.data.byteLength
      const w: Promise<void> = this.#chunks.put(block.ref.hash, block.wire).finally(() => writing.delete(w))
      writing.add(w)
      if (writing.size >= PARALLEL_CHUNK_WRITES) await Promise.race(writing)
    }
    await Promise.all(writing)
  }
}

function sessionKey (folder: string, peer: string): string {
  return `${folder}\0${peer}`
}

/** Announced addresses a member could be dialed at: multiaddrs that parse (nothing else is done with them). */
function dialable (addrs: string[]): string[] {
  return addrs.filter(a => {
    try {
      multiaddr(a)
      return true
    } catch {
      return false
    }
  })
}
