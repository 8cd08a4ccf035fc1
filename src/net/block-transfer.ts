// /distsync/blocks/1.0.0. The side that needs chunks asks in windows of at most
// BLOCK_WINDOW_BYTES; the side that has them answers every hash in order. The window is the
// backpressure: lpStream aborts, rather than pauses, a stream whose read buffer overflows.
import type { LengthPrefixedStream } from '@libp2p/utils'
import type { Libp2p } from 'libp2p'
import { boundedLpStream } from './bounded-lp.ts'
import { TurnSlicer } from './turn-slicer.ts'
import { ByteBudget, PeerBudgets } from './byte-budget.ts'
import { ANSWER_BYTES_PER_PEER, BLOCK_REQUEST_BUFFER, BLOCK_STREAMS_PER_CONNECTION } from './limits.ts'
import { BLOCKS_PROTOCOL, BLOCK_READ_BUFFER, BLOCK_WINDOW_BYTES, MAX_BLOCK_FRAME, MAX_HASHES_PER_REQUEST } from '../protocol/constants.ts'
import { decodeBlock, decodeBlockRequest, encodeBlock, encodeBlockRequest } from '../protocol/codec.ts'
import { ProtocolError } from '../protocol/errors.ts'
import { bytesEqual, hex, type ChunkRef } from '../index/entry.ts'
import type { ChunkList } from '../chunk/chunk-list.ts'
import { openBlock, type StoredBlock } from './block-codec.ts'
import { readFrame } from './frames.ts'
import { widenReceiveWindow } from './yamux-window.ts'
import type { Connection, Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

/** Where a node finds the chunks it serves. null: not here (any more). */
export interface BlockSource {
  get: (hash: Uint8Array) => Promise<StoredBlock | null>
}

const READ_AHEAD = 8
/** Answers leave in writes of about this size (a fetcher asks for about 1 MiB at a time). One
 * write per chunk paid yamux, Noise and the socket per ~64 KiB, and (before yamux-window.ts)
 * a window update back for every data frame: 256 MiB through the hub took ~10% longer. 256 KiB
 * writes measured no better than one per chunk. */
const SEND_BATCH_BYTES = 1024 * 1024

export class BlockMissingError extends Error {
  override name = 'BlockMissingError'
  readonly code = 'ERR_BLOCK_MISSING'
}

/** Serves one blocks stream until the asker closes it. Every chunk read is first taken from
 * `budget` (shared by all streams of the asking peer) and given back once its answer is written:
 * a peer that asks and never reads holds at most the budget. */
export async function serveBlocks (stream: Stream, source: BlockSource, signal: AbortSignal, onSent?: (bytes: number) => void, budget: ByteBudget = new ByteBudget(ANSWER_BYTES_PER_PEER)): Promise<void> {
  const lp = boundedLpStream(stream, { maxDataLength: MAX_BLOCK_FRAME, maxBufferSize: BLOCK_REQUEST_BUFFER })
  let held = 0
  let finished = false
  const ended = new AbortController()
  const readSignal = AbortSignal.any([signal, ended.signal])
  const read = async (hash: Uint8Array): Promise<StoredBlock | null> => {
    const n = await budget.take(MAX_BLOCK_FRAME, readSignal)
    if (finished) { budget.give(n); return null }
    held += n
    const block = await source.get(hash)
    // once finished, what this read took went back with the rest
    if (finished) return null
    const keep = heldFor(block)
    budget.give(n - keep)
    held -= n - keep
    return block
  }
  // a read left behind by a failed stream must not end the process when it fails in turn
  const readAhead = (hash: Uint8Array): Promise<StoredBlock | null> => {
    const p = read(hash)
    p.catch(() => {})
    return p
  }
  const turns = new TurnSlicer()
  try {
    while (true) {
      const frame = await readFrame(lp, signal)
      if (frame == null) break
      const hashes = decodeBlockRequest(frame)
      // reads run ahead of the sends, a few at a time: one chunk read is several threadpool round
      // trips. A read is dropped once used: kept, a request of one chunk 1024 times held them all
      const reads = hashes.slice(0, READ_AHEAD).map(readAhead)
      let batch: Uint8ArrayList[] = []
      let batchBytes = 0
      let chunkBytes = 0
      let batchHeld = 0
      const send = async (): Promise<void> => {
        await lp.writeV(batch, { signal })
        onSent?.(chunkBytes)
        budget.give(batchHeld)
        held -= batchHeld
        batch = []
        batchBytes = 0
        chunkBytes = 0
        batchHeld = 0
      }
      for (const [i, hash] of hashes.entries()) {
        // chunk reads may complete synchronously: a request of 1024 must let other peers in
        await turns.pass()
        // the budget is short: what this stream holds goes out first, or streams sharing it
        // could each wait for the others' bytes
        if (batch.length > 0 && budget.available < MAX_BLOCK_FRAME) await send()
        const reading = reads.shift()!
        // a chunk not there yet (one this node is still receiving, in a chain): what is batched
        // goes out first, or each hop of a chain would hold a whole batch back
        if (batch.length > 0 && !await settled(reading)) await send()
        const block = await reading
        if (i + READ_AHEAD < hashes.length) reads.push(readAhead(hashes[i + READ_AHEAD]!))
        const msg = block == null
          ? encodeBlock({ hash, data: new Uint8Array(0), zstd: false, missing: true })
          : encodeBlock({ hash, data: block.data, zstd: block.zstd, missing: false })
        batch.push(msg)
        batchBytes += msg.byteLength
        chunkBytes += block?.data.byteLength ?? 0
        batchHeld += heldFor(block)
        if (batchBytes >= SEND_BATCH_BYTES || i === hashes.length - 1) await send()
      }
    }
    await stream.close({ signal })
  } catch (err) {
    stream.abort(err as Error)
    throw err
  } finally {
    finished = true
    ended.abort()
    budget.give(held)
  }
}

const NOT_YET = Symbol('not yet')
const notYet = Promise.resolve(NOT_YET)

/** Whether `p` has settled already (a rejection counts: awaiting it throws at once). */
async function settled (p: Promise<unknown>): Promise<boolean> {
  try {
    return await Promise.race([p, notYet]) !== NOT_YET
  } catch {
    return true
  }
}

/** Budget bytes one read answer keeps until it is written: its data and the frame around it. */
function heldFor (block: StoredBlock | null): number {
  return Math.min(MAX_BLOCK_FRAME, (block?.data.byteLength ?? 0) + 128)
}

const answerBudgets = new PeerBudgets(ANSWER_BYTES_PER_PEER)

export interface BlocksHandlerOptions {
  /** who may ask at all (a client serves only its hub, or its folder's members) */
  admit?: (peer: string) => boolean
  /** a stream ended with an error (a peer past a bound, a reset) */
  onEnd?: (peer: string, err: Error) => void
  /** chunk bytes written out */
  onSent?: (bytes: number) => void
}

/**
 * Serves the blocks protocol on `node` (hub and clients alike), with every bound on what an
 * asking peer can make this node hold: streams per connection, answer bytes per peer. `source`
 * may depend on the asking peer (the hub serves a peer only its folders' chunks).
 */
export async function handleBlocks (node: Libp2p, source: BlockSource | ((peer: string) => BlockSource), signal: AbortSignal, opts: BlocksHandlerOptions = {}): Promise<void> {
  await node.handle(BLOCKS_PROTOCOL, (stream, connection) => {
    const peer = connection.remotePeer.toString()
    if (opts.admit != null && !opts.admit(peer)) { stream.abort(new Error('not admitted to this node\'s blocks')); return }
    const { budget, done } = answerBudgets.use(peer)
    void serveBlocks(stream, typeof source === 'function' ? source(peer) : source, signal, opts.onSent, budget)
      .catch(err => { opts.onEnd?.(peer, err as Error) })
      .finally(done)
  }, { maxInboundStreams: BLOCK_STREAMS_PER_CONNECTION })
}

export interface FetchedBlock { ref: ChunkRef, data: Uint8Array, wire: StoredBlock }
/** The peer answered that it does not have this chunk (a holder still receiving it, or one whose file changed). */
export interface MissingBlock { ref: ChunkRef, missing: true }

interface OpenStream { stream: Stream, lp: LengthPrefixedStream, widened: boolean }

/** yamux's window for a new stream: a fetch of more than this has its stream's window widened. */
const YAMUX_INITIAL_WINDOW = 256 * 1024
/** The receive window of a stream fetching more than that: what the fetcher keeps asked, so that
 * its requests, not yamux's updates, pace the server. A serving peer can push at most this much
 * unasked into a stream that is read anyway; such a stream is closed, not pooled, after its fetch. */
const FETCH_STREAM_WINDOW = 1024 * 1024

/** Idle block streams kept per connection: opening one (yamux + protocol select) cost more than
 * fetching a small file's one chunk. */
const idleStreams = new WeakMap<Connection, OpenStream[]>()
const MAX_IDLE_STREAMS = 16

/** Blocks streams this node has open on a connection (idle ones included). The serving side
 * resets every stream past its BLOCK_STREAMS_PER_CONNECTION right after it opened (libp2p's
 * per-protocol inbound limit): 16 files fetched at once from one holder, two streams each, plus
 * idle ones went past it, and those requests broke off. A fetch waits for a stream instead. */
const streamSlots = new WeakMap<Connection, ByteBudget>()
/** A few below the server's limit: a stream closed here may not be gone there yet. */
const STREAM_SLOTS = BLOCK_STREAMS_PER_CONNECTION - 4
const STREAM_SLOT_WAIT_MS = 5000

async function takeStream (connection: Connection, signal: AbortSignal): Promise<{ open: OpenStream, reused: boolean }> {
  const idle = idleStreams.get(connection) ?? []
  for (let open = idle.pop(); open != null; open = idle.pop()) {
    if (open.stream.status === 'open') return { open, reused: true }
  }
  let slots = streamSlots.get(connection)
  if (slots == null) streamSlots.set(connection, slots = new ByteBudget(STREAM_SLOTS))
  const slot = slots
  // a slot that does not come in time is done without: a stream past the limit is reset and its
  // request asked again, where waiting on fetches that themselves wait could last for ever
  let given = 1
  try {
    await slot.take(1, AbortSignal.any([signal, AbortSignal.timeout(STREAM_SLOT_WAIT_MS)]))
  } catch (err) {
    if (signal.aborted) throw err
    given = 0
  }
  let stream: Stream
  try {
    stream = await connection.newStream(BLOCKS_PROTOCOL, { signal })
  } catch (err) {
    slot.give(given)
    throw err
  }
  stream.addEventListener('close', () => { slot.give(given) }, { once: true })
  return { open: { stream, lp: boundedLpStream(stream, { maxDataLength: MAX_BLOCK_FRAME, maxBufferSize: BLOCK_READ_BUFFER }), widened: false }, reused: false }
}

/** A stream with nothing requested and nothing unread goes back to the pool; closed instead
 * when every stream slot is taken (a fetch may be waiting for one). */
function releaseStream (connection: Connection, open: OpenStream): void {
  let idle = idleStreams.get(connection)
  if (idle == null) idleStreams.set(connection, idle = [])
  const full = (streamSlots.get(connection)?.available ?? 1) === 0
  if (!full && !open.widened && idle.length < MAX_IDLE_STREAMS && open.stream.status === 'open') idle.push(open)
  else void open.stream.close().catch(() => {})
}

/**
 * Fetches chunks in the given order, each verified against its hash before it is yielded.
 * Throws BlockMissingError if the peer no longer has one.
 */
export async function * fetchBlocks (connection: Connection, refs: ChunkList, signal: AbortSignal): AsyncGenerator<FetchedBlock> {
  for await (const b of fetchBlocksOrMissing(connection, refs, signal)) {
    if ('missing' in b) throw new BlockMissingError(`peer no longer has chunk ${hex(b.ref.hash)}`)
    yield b
  }
}

/** As fetchBlocks, but a chunk the peer lacks is yielded as missing and the fetch goes on. */
export async function * fetchBlocksOrMissing (connection: Connection, refs: ChunkList, signal: AbortSignal): AsyncGenerator<FetchedBlock | MissingBlock> {
  if (refs.length === 0) return
  let total = 0
  for (let i = 0; i < refs.length; i++) total += refs.size(i)
  const take = async (): Promise<{ open: OpenStream, reused: boolean }> => {
    const taken = await takeStream(connection, signal)
    if (total > YAMUX_INITIAL_WINDOW) taken.open.widened = widenReceiveWindow(taken.open.stream, FETCH_STREAM_WINDOW)
    return taken
  }
  let { open, reused } = await take()
  let requested = 0
  let received = 0
  let outstanding = 0
  const requestMore = async (): Promise<void> => {
    while (requested < refs.length && outstanding < BLOCK_WINDOW_BYTES / 2) {
      // a request asks for about a quarter of the window, so the next one is there before the server runs dry
      const batch: Uint8Array[] = []
      const limit = Math.min(BLOCK_WINDOW_BYTES, outstanding + BLOCK_WINDOW_BYTES / 4)
      while (requested < refs.length && outstanding < limit && batch.length < MAX_HASHES_PER_REQUEST) {
        batch.push(refs.hash(requested))
        outstanding += refs.size(requested)
        requested++
      }
      await open.lp.write(encodeBlockRequest(batch), { signal })
    }
  }
  let released = false
  try {
    while (received < refs.length) {
      const ref = refs.ref(received)
      let frame
      try {
        if (received === 0) await requestMore()
        frame = await open.lp.read({ signal })
      } catch (err) {
        // an idle stream the peer let go of: the first request fails; ask again on a new one
        if (!reused || received > 0 || signal.aborted) throw err
        open.stream.abort(err as Error)
        ;({ open, reused } = await take())
        requested = 0
        outstanding = 0
        continue
      }
      const block = decodeBlock(frame)
      if (!bytesEqual(block.hash, ref.hash)) throw new ProtocolError('ERR_BAD_BLOCK', `asked for chunk ${hex(ref.hash)}, got ${hex(block.hash)}`)
      const wire = { data: block.data, zstd: block.zstd }
      const data = block.missing ? undefined : openBlock(wire, ref.hash, ref.size)
      outstanding -= ref.size
      received++
      if (received === refs.length) {
        // all answered: the stream is clean even if the consumer stops at this last block
        released = true
        releaseStream(connection, open)
      } else {
        await requestMore()
      }
      yield data == null ? { ref, missing: true } : { ref, data, wire }
    }
  } finally {
    // an error, or a consumer that stopped early: answers may still be on their way
    if (!released) open.stream.abort(new BlockMissingError('block fetch abandoned'))
  }
}
