// Conversion between wire messages and domain types, with every check a hostile peer could
// need: sizes, list lengths, hash lengths, paths. Nothing from the network reaches the rest of
// the program without passing through here.
import * as wire from './messages.ts'
import { ProtocolError } from './errors.ts'
import { HASH_BYTES, INLINE_FILE_MAX, MAX_ADDR_BYTES, MAX_MEMBERS, MAX_MEMBER_ADDRS, MAX_PEER_ID_BYTES, MAX_ATTACHED_BLOCKS, MAX_CHUNKS_PER_ENTRY, MAX_HASHES_PER_REQUEST, MAX_SYMLINK_TARGET_BYTES, CHUNK_MAX } from './constants.ts'
import { checkRelativePath } from '../fs/safe-path.ts'
import { DEFAULT_FOLDER, checkFolderName } from './folder-name.ts'
import { type Entry, type EntryKind, type JournalEntry } from '../index/entry.ts'
import { CHUNK_REF_BYTES, ChunkList } from '../chunk/chunk-list.ts'
import { Uint8ArrayList } from 'uint8arraylist'
import { reader } from 'protons-runtime'

/** `addrs`: where members may dial the client (only ever used to dial: never trusted as identity) */
export interface Hello { sinceSeq: number, folder: string, addrs?: string[] }
/** A chunk in its wire form (zstd or raw), attached to the entry of a small file. */
export interface AttachedBlock { hash: Uint8Array, data: Uint8Array, zstd: boolean }
export interface Propose { id: number, entry: Entry, baseSeq: number, blocks: AttachedBlock[] }
/** A proposal whose entry failed validation still carries its id, so the hub can refuse that one
 * proposal and keep the session. */
export interface InvalidPropose { id: number, error: Error }
export type ClientMessage =
  | { type: 'hello', hello: Hello }
  | { type: 'propose', propose: Propose }
  | { type: 'applied', seq: number }
  | { type: 'progress', frames: number, bytes: number }
export type ReceivedClientMessage = ClientMessage | { type: 'invalid-propose', invalid: InvalidPropose }

export type Outcome = 'accepted' | 'superseded' | 'rejected'
export interface Result { id: number, outcome: Outcome, seq: number, current?: Entry, reason: string }
/** Who holds every chunk of a version: online members by peer ID, and whether the hub does. */
export interface HolderList { peers: string[], held: boolean }
export interface Changed extends JournalEntry { origin: string, blocks: AttachedBlock[], holders: HolderList }
export interface Member { peer: string, addrs: string[] }
/** News of a folder's online members: `reset` (a session's first) forgets every member known
 * before; `joined` came online or announced new addresses; `left` went. */
export interface MembersUpdate { reset: boolean, joined: Member[], left: string[] }
export type HubMessage =
  | { type: 'changed', changed: Changed }
  | { type: 'result', result: Result }
  | { type: 'caught-up', seq: number }
  | { type: 'members', update: MembersUpdate }
  | { type: 'holders', seq: number, holders: HolderList }
  | { type: 'refused', reason: string }
export type ReceivedHubMessage = HubMessage | { type: 'invalid-changed', seq: number, error: Error }

export interface Block { hash: Uint8Array, data: Uint8Array, zstd: boolean, missing: boolean }

const KIND_TO_WIRE: Record<EntryKind, wire.Kind> = { file: wire.Kind.FILE, dir: wire.Kind.DIR, symlink: wire.Kind.SYMLINK }
const OUTCOME_TO_WIRE: Record<Outcome, wire.Outcome> = {
  accepted: wire.Outcome.ACCEPTED, superseded: wire.Outcome.SUPERSEDED, rejected: wire.Outcome.REJECTED
}
const HOLDER_LIMITS = { peers: MAX_MEMBERS }
const CLIENT_LIMITS = { limits: { propose: { blocks: MAX_ATTACHED_BLOCKS }, hello: { addrs: MAX_MEMBER_ADDRS } } }
const HUB_LIMITS = {
  limits: {
    changed: { blocks: MAX_ATTACHED_BLOCKS, holders: HOLDER_LIMITS },
    members: { members: MAX_MEMBERS, members$: { addrs: MAX_MEMBER_ADDRS }, left: MAX_MEMBERS },
    holders: HOLDER_LIMITS
  }
}

function entryToWire (e: Entry): wire.Entry {
  return {
    path: e.path,
    kind: KIND_TO_WIRE[e.kind],
    size: e.size,
    mtimeNs: e.mtimeNs,
    exec: e.exec,
    deleted: e.deleted,
    hash: e.hash as Uint8Array<ArrayBuffer>,
    chunks: e.chunks.bytes as Uint8Array<ArrayBuffer>,
    target: e.target
  }
}

function checkHash (h: Uint8Array, what: string): void {
  if (h.byteLength !== HASH_BYTES) throw new ProtocolError('ERR_BAD_HASH', `${what} is ${h.byteLength} bytes, not a SHA-256`)
}

/** Validates an entry from the network; throws ProtocolError or PathError. */
export function entryFromWire (w: wire.Entry | undefined): Entry {
  if (w == null) throw new ProtocolError('ERR_MISSING_FIELD', 'message has no entry')
  const path = checkRelativePath(w.path)
  const kind: EntryKind = w.kind === wire.Kind.DIR ? 'dir' : w.kind === wire.Kind.SYMLINK ? 'symlink' : 'file'
  if (!Number.isSafeInteger(w.size) || w.size < 0) throw new ProtocolError('ERR_BAD_SIZE', `size ${w.size} out of range`)
  const size = w.size
  if (w.chunks.byteLength % CHUNK_REF_BYTES !== 0) throw new ProtocolError('ERR_BAD_ENTRY', `${path}: a chunk list of ${w.chunks.byteLength} bytes`)
  if (w.chunks.byteLength / CHUNK_REF_BYTES > MAX_CHUNKS_PER_ENTRY) throw new ProtocolError('ERR_TOO_MANY_CHUNKS', `${path}: more than ${MAX_CHUNKS_PER_ENTRY} chunks`)
  // copies, not views: a view would keep the whole received frame alive as long as the entry
  const entry: Entry = {
    path, kind, size, mtimeNs: w.mtimeNs, exec: w.exec, deleted: w.deleted, hash: Uint8Array.from(w.hash),
    chunks: new ChunkList(Uint8Array.from(w.chunks)), target: w.target
  }
  if (entry.deleted || kind !== 'file') {
    if (entry.chunks.length > 0 || size !== 0) throw new ProtocolError('ERR_BAD_ENTRY', `${path}: only a live file has content`)
  }
  if (kind === 'symlink' && !entry.deleted) {
    if (entry.target === '' || Buffer.byteLength(entry.target) > MAX_SYMLINK_TARGET_BYTES || entry.target.includes('\0')) {
      throw new ProtocolError('ERR_BAD_ENTRY', `${path}: bad symlink target`)
    }
  }
  if (kind === 'file' && !entry.deleted) {
    checkHash(entry.hash, `${path}: file hash`)
    let total = 0
    for (let i = 0; i < entry.chunks.length; i++) {
      const chunkSize = entry.chunks.size(i)
      if (chunkSize === 0 || chunkSize > CHUNK_MAX) throw new ProtocolError('ERR_BAD_ENTRY', `${path}: chunk of ${chunkSize} bytes`)
      total += chunkSize
    }
    if (total !== size) throw new ProtocolError('ERR_BAD_ENTRY', `${path}: chunks add up to ${total} bytes, entry says ${size}`)
  }
  return entry
}

function blocksToWire (blocks: AttachedBlock[]): wire.Block[] {
  return blocks.map(b => ({ hash: b.hash as Uint8Array<ArrayBuffer>, data: b.data as Uint8Array<ArrayBuffer>, zstd: b.zstd, missing: false }))
}

/**
 * Attached blocks must be chunks of a small live file, each no bigger than its chunk (a chunk is
 * sent compressed only when that is smaller). Their content is verified when they are used.
 */
/** Only a small live file's entry carries its chunks (INLINE_FILE_MAX). */
export function carriesBlocks (entry: Entry): boolean {
  return !entry.deleted && entry.kind === 'file' && entry.size <= INLINE_FILE_MAX
}

function attachedFromWire (blocks: wire.Block[], entry: Entry): AttachedBlock[] {
  if (blocks.length === 0) return []
  if (!carriesBlocks(entry)) {
    throw new ProtocolError('ERR_BAD_ENTRY', `${entry.path}: blocks attached to an entry that takes none`)
  }
  return blocks.map(b => {
    checkHash(b.hash, 'attached block hash')
    const i = entry.chunks.indexOf(b.hash)
    if (i < 0 || b.missing || b.data.byteLength > entry.chunks.size(i)) throw new ProtocolError('ERR_BAD_ENTRY', `${entry.path}: attached block is not one of its chunks`)
    return { hash: b.hash, data: b.data, zstd: b.zstd }
  })
}

/** Bounds only: an address is parsed where it is dialed, a peer ID where it is compared. */
function stringsFromWire (list: string[], maxBytes: number, what: string): string[] {
  for (const s of list) {
    if (s.length === 0 || Buffer.byteLength(s) > maxBytes || s.includes('\0')) throw new ProtocolError('ERR_BAD_FIELD', `bad ${what}`)
  }
  return list
}

function holdersFromWire (h: wire.Holders | undefined): HolderList {
  return { peers: stringsFromWire(h?.peers ?? [], MAX_PEER_ID_BYTES, 'holder peer ID'), held: h?.held ?? false }
}

function seqFromWire (n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new ProtocolError('ERR_BAD_SEQ', `seq ${n} out of range`)
  return n
}

export function encodeClientMessage (m: ClientMessage): Uint8Array {
  if (m.type === 'hello') return wire.ClientMessage.encode({ hello: { sinceSeq: m.hello.sinceSeq, folder: m.hello.folder === DEFAULT_FOLDER ? '' : m.hello.folder, addrs: m.hello.addrs ?? [] } })
  if (m.type === 'applied') return wire.ClientMessage.encode({ applied: { seq: m.seq } })
  if (m.type === 'progress') return wire.ClientMessage.encode({ progress: { frames: m.frames, bytes: m.bytes } })
  const p = m.propose
  return wire.ClientMessage.encode({ propose: { id: p.id, entry: entryToWire(p.entry), baseSeq: p.baseSeq, blocks: blocksToWire(p.blocks) } })
}

export function decodeClientMessage (buf: Uint8Array | Uint8ArrayList): ReceivedClientMessage {
  let m: wire.ClientMessage
  try {
    m = decode(() => wire.ClientMessage.decode(buf, CLIENT_LIMITS as never))
  } catch (error) {
    // a proposal that does not decode (a size or seq past 2^56 fails the whole message) is
    // refused alone when its id can still be read; the session goes on
    const id = proposeIdOf(buf)
    if (id == null) throw error
    return { type: 'invalid-propose', invalid: { id, error: error as Error } }
  }
  if (m.hello != null) {
    const folder = m.hello.folder === '' ? DEFAULT_FOLDER : checkFolderName(m.hello.folder)
    return { type: 'hello', hello: { sinceSeq: seqFromWire(m.hello.sinceSeq), folder, addrs: stringsFromWire(m.hello.addrs, MAX_ADDR_BYTES, 'address') } }
  }
  if (m.applied != null) return { type: 'applied', seq: seqFromWire(m.applied.seq) }
  if (m.progress != null) return { type: 'progress', frames: seqFromWire(m.progress.frames), bytes: seqFromWire(m.progress.bytes) }
  if (m.propose != null) {
    const p = m.propose
    try {
      const entry = entryFromWire(p.entry)
      return { type: 'propose', propose: { id: p.id, entry, baseSeq: seqFromWire(p.baseSeq), blocks: attachedFromWire(p.blocks, entry) } }
    } catch (error) {
      return { type: 'invalid-propose', invalid: { id: p.id, error: error as Error } }
    }
  }
  throw new ProtocolError('ERR_UNKNOWN_MESSAGE', 'client message has no known field')
}

export function encodeHubMessage (m: HubMessage): Uint8Array {
  switch (m.type) {
    case 'changed': {
      const c = m.changed
      return wire.HubMessage.encode({ changed: { entry: entryToWire(c.entry), seq: c.seq, origin: c.origin, blocks: blocksToWire(c.blocks), holders: { seq: c.seq, ...c.holders } } })
    }
    case 'members':
      return wire.HubMessage.encode({ members: { members: m.update.joined, left: m.update.left, reset: m.update.reset } })
    case 'holders':
      return wire.HubMessage.encode({ holders: { seq: m.seq, ...m.holders } })
    case 'result': {
      const r = m.result
      return wire.HubMessage.encode({
        result: {
          id: r.id, outcome: OUTCOME_TO_WIRE[r.outcome], seq: r.seq, reason: r.reason,
          ...(r.current != null ? { current: entryToWire(r.current) } : {})
        }
      })
    }
    case 'caught-up':
      return wire.HubMessage.encode({ caughtUp: { seq: m.seq } })
    case 'refused':
      return wire.HubMessage.encode({ refused: { reason: m.reason } })
  }
}

export function decodeHubMessage (buf: Uint8Array | Uint8ArrayList): ReceivedHubMessage {
  const m = decode(() => wire.HubMessage.decode(buf, HUB_LIMITS as never))
  if (m.changed != null) {
    const c = m.changed
    const seq = seqFromWire(c.seq)
    try {
      const entry = entryFromWire(c.entry)
      return { type: 'changed', changed: { entry, seq, origin: c.origin, blocks: attachedFromWire(c.blocks, entry), holders: holdersFromWire(c.holders) } }
    } catch (error) {
      return { type: 'invalid-changed', seq, error: error as Error }
    }
  }
  if (m.result != null) {
    const r = m.result
    const outcome: Outcome = r.outcome === wire.Outcome.SUPERSEDED ? 'superseded' : r.outcome === wire.Outcome.REJECTED ? 'rejected' : 'accepted'
    // a result answers a waiting proposal, so it cannot be skipped like a bad change: the hub is broken
    const current = r.current == null ? undefined : decode(() => entryFromWire(r.current))
    return {
      type: 'result',
      result: { id: r.id, outcome, seq: seqFromWire(r.seq), reason: r.reason, ...(current != null ? { current } : {}) }
    }
  }
  if (m.caughtUp != null) return { type: 'caught-up', seq: seqFromWire(m.caughtUp.seq) }
  if (m.members != null) {
    const joined = m.members.members.map(x => ({ peer: stringsFromWire([x.peer], MAX_PEER_ID_BYTES, 'member peer ID')[0]!, addrs: stringsFromWire(x.addrs, MAX_ADDR_BYTES, 'address') }))
    const left = stringsFromWire(m.members.left, MAX_PEER_ID_BYTES, 'member peer ID')
    return { type: 'members', update: { reset: m.members.reset, joined, left } }
  }
  if (m.holders != null) return { type: 'holders', seq: seqFromWire(m.holders.seq), holders: holdersFromWire(m.holders) }
  // shown to the user: bounded, one line
  if (m.refused != null) return { type: 'refused', reason: m.refused.reason.slice(0, 500).replace(/[\r\n]+/g, ' ') }
  throw new ProtocolError('ERR_UNKNOWN_MESSAGE', 'hub message has no known field')
}

export function encodeBlockRequest (hashes: Uint8Array[]): Uint8Array {
  return wire.BlockRequest.encode({ hashes: hashes as Array<Uint8Array<ArrayBuffer>> })
}

export function decodeBlockRequest (buf: Uint8Array | Uint8ArrayList): Uint8Array[] {
  const m = decode(() => wire.BlockRequest.decode(buf, { limits: { hashes: MAX_HASHES_PER_REQUEST } }))
  for (const h of m.hashes) checkHash(h, 'requested hash')
  return m.hashes
}

/** Field 2 (data), length-delimited: its tag and length, ahead of the bytes. */
function dataFieldHeader (length: number): Uint8Array {
  const out = [0x12]
  for (let n = length; ; n = Math.floor(n / 128)) {
    if (n < 128) { out.push(n); break }
    out.push((n % 128) | 0x80)
  }
  return Uint8Array.from(out)
}

/**
 * A block frame whose chunk is not copied: the other fields, then the data field as its own
 * buffer (protobuf takes fields in any order). The chunk is nearly all of the frame, and encoding
 * it into one message copied every chunk served once more.
 */
export function encodeBlock (b: Block): Uint8ArrayList {
  const rest = wire.Block.encode({ hash: b.hash as Uint8Array<ArrayBuffer>, data: new Uint8Array(0), zstd: b.zstd, missing: b.missing })
  return b.data.byteLength === 0 ? new Uint8ArrayList(rest) : new Uint8ArrayList(rest, dataFieldHeader(b.data.byteLength), b.data)
}

export function decodeBlock (buf: Uint8Array | Uint8ArrayList): Block {
  const m = decode(() => wire.Block.decode(buf))
  checkHash(m.hash, 'block hash')
  return m
}

/** The id of a proposal, read field by field from a message that does not decode as a whole;
 * undefined if the message is no proposal or not even that can be read. */
function proposeIdOf (buf: Uint8Array | Uint8ArrayList): number | undefined {
  try {
    const r = reader(buf instanceof Uint8Array ? buf : buf.subarray())
    while (r.pos < r.len) {
      const tag = r.uint32()
      if (tag >>> 3 !== 2 || (tag & 7) !== 2) { r.skipType(tag & 7); continue }
      const p = reader(r.bytes())
      while (p.pos < p.len) {
        const t = p.uint32()
        if (t >>> 3 === 1 && (t & 7) === 0) return p.uint32()
        p.skipType(t & 7)
      }
      return undefined
    }
  } catch {
    // not even the id: the caller treats the whole message as malformed
  }
  return undefined
}

function decode<T> (fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    if (err instanceof ProtocolError) throw err
    throw new ProtocolError('ERR_MALFORMED', `malformed message: ${(err as Error).message}`)
  }
}
