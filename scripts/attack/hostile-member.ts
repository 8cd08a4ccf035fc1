// What a hostile member (an allowlisted identity, a real libp2p node) can send a hub: each
// function is one attack from issue 17, bounded in count and time, and says what it saw.
import { multiaddr } from '@multiformats/multiaddr'
import { lpStream } from '@libp2p/utils'
import type { Libp2p } from 'libp2p'
import type { Stream } from '@libp2p/interface'
import { BLOCKS_PROTOCOL, CHUNK_MIN, MAX_BLOCK_FRAME, MAX_SYNC_FRAME, SYNC_PROTOCOL } from '../../src/protocol/constants.ts'
import { decodeBlockRequest, decodeHubMessage, encodeBlock, encodeBlockRequest, encodeClientMessage, type Result } from '../../src/protocol/codec.ts'
import { ChunkList, ChunkListBuilder } from '../../src/chunk/chunk-list.ts'
import { sha256 } from '../../src/chunk/hash.ts'
import { tombstone, type Entry } from '../../src/index/entry.ts'
import { DEFAULT_FOLDER } from '../../src/protocol/folder-name.ts'
import { randomBytes } from 'node:crypto'

/** Resolves when the stream closes (either end, any reason), or after `ms` with false. */
export async function closedWithin (stream: Stream, ms: number): Promise<boolean> {
  if (stream.status !== 'open') return true
  return await new Promise(resolve => {
    const timer = setTimeout(() => { resolve(stream.status !== 'open') }, ms)
    stream.addEventListener('close', () => { clearTimeout(timer); resolve(true) }, { once: true })
  })
}

/** Sends `bytes` of 0xff (a length prefix that never ends) on a new stream of `protocol`. */
export async function endlessPrefix (node: Libp2p, hub: string, protocol: string, bytes: number): Promise<Stream> {
  const stream = await node.dialProtocol(multiaddr(hub), protocol)
  const chunk = new Uint8Array(64 * 1024).fill(0xff)
  for (let sent = 0; sent < bytes && stream.status === 'open'; sent += chunk.byteLength) {
    if (!stream.send(chunk.subarray(0, Math.min(chunk.byteLength, bytes - sent)))) {
      await Promise.race([new Promise(resolve => { stream.addEventListener('drain', resolve, { once: true }) }), closedWithin(stream, 10_000)])
    }
  }
  return stream
}

/** A file entry of one chunk whose bytes the caller has (it can serve them). */
export function oneChunkFile (path: string, data: Uint8Array): Entry {
  const chunk = sha256(data)
  return { path, kind: 'file', size: data.byteLength, mtimeNs: BigInt(Date.now()) * 1_000_000n, exec: false, deleted: false, hash: sha256(chunk), chunks: ChunkList.of([{ hash: chunk, size: data.byteLength }]), target: '' }
}

/** A file entry of `chunks` made-up chunks of CHUNK_MIN bytes that nobody has. */
export function phantomFile (path: string, chunks: number): Entry {
  const b = new ChunkListBuilder()
  const seed = randomBytes(32)
  for (let i = 0; i < chunks; i++) {
    const h = Uint8Array.from(seed)
    new DataView(h.buffer).setUint32(0, i)
    b.push(h, CHUNK_MIN)
  }
  const list = b.finish()
  return { path, kind: 'file', size: chunks * CHUNK_MIN, mtimeNs: 1n, exec: false, deleted: false, hash: sha256(list.bytes), chunks: list, target: '' }
}

export interface SyncSession { stream: Stream, lp: ReturnType<typeof lpStream>, nextId: () => number }

export async function openSync (node: Libp2p, hub: string, since = 0): Promise<SyncSession> {
  const stream = await node.dialProtocol(multiaddr(hub), SYNC_PROTOCOL)
  const lp = lpStream(stream, { maxDataLength: MAX_SYNC_FRAME, maxBufferSize: 64 * 1024 * 1024 })
  await lp.write(encodeClientMessage({ type: 'hello', hello: { sinceSeq: since, folder: DEFAULT_FOLDER, addrs: [] } }))
  let id = 0
  return { stream, lp, nextId: () => ++id }
}

/** Reads frames until the result of proposal `id` arrives (or the stream ends: undefined). */
export async function resultOf (s: SyncSession, id: number, signal?: AbortSignal): Promise<Result | undefined> {
  while (true) {
    let frame
    try { frame = await s.lp.read(signal != null ? { signal } : {}) } catch { return undefined }
    const msg = decodeHubMessage(frame)
    if (msg.type === 'result' && msg.result.id === id) return msg.result
  }
}

/** Serves `data` honestly on the blocks protocol (so that the hub stores it), and nothing else. */
export async function serveChunk (node: Libp2p, data: Uint8Array): Promise<void> {
  const hash = sha256(data)
  await node.handle(BLOCKS_PROTOCOL, async (s) => {
    const lp = lpStream(s, { maxDataLength: MAX_BLOCK_FRAME })
    try {
      while (true) {
        const req = decodeBlockRequest(await lp.read())
        await lp.writeV(req.map(h => Buffer.compare(h, hash) === 0
          ? encodeBlock({ hash: h, data, zstd: false, missing: false })
          : encodeBlock({ hash: h, data: new Uint8Array(0), zstd: false, missing: true })))
      }
    } catch { s.abort(new Error('done')) }
  }, { maxInboundStreams: 256, force: true })
}

export interface FetchCounter { open: number, most: number, total: number }

/** Reads every block request and answers none: the hub's fetches wait for ever. Counts the
 * hub's fetch streams: open now, most open at once, all. */
export async function serveNothing (node: Libp2p): Promise<FetchCounter> {
  const count: FetchCounter = { open: 0, most: 0, total: 0 }
  await node.handle(BLOCKS_PROTOCOL, async (s) => {
    count.open++
    count.total++
    count.most = Math.max(count.most, count.open)
    const lp = lpStream(s, { maxDataLength: MAX_BLOCK_FRAME })
    try { while (true) await lp.read() } catch { s.abort(new Error('done')) } finally { count.open-- }
  }, { maxInboundStreams: 1024, force: true })
  return count
}

/**
 * Asks for one chunk `repeat` times per request on `streams` blocks streams, again and again
 * until `ms` pass; `readAnswers` streams read what comes (slowly), the others never read.
 * Returns the streams the hub reset or closed.
 */
export async function amplify (node: Libp2p, hub: string, hash: Uint8Array, opts: { streams: number, repeat: number, readAnswers: boolean, ms: number }): Promise<number> {
  const request = encodeBlockRequest(Array.from({ length: opts.repeat }, () => hash))
  const deadline = Date.now() + opts.ms
  let ended = 0
  const one = async (): Promise<void> => {
    while (Date.now() < deadline) {
      let stream: Stream
      try { stream = await node.dialProtocol(multiaddr(hub), BLOCKS_PROTOCOL) } catch { await sleep(100); continue }
      const lp = lpStream(stream, { maxDataLength: MAX_BLOCK_FRAME, maxBufferSize: 64 * 1024 * 1024 })
      const reading = opts.readAnswers
        ? (async () => { try { while (Date.now() < deadline) { await lp.read(); await sleep(1) } } catch {} })()
        : Promise.resolve()
      try {
        while (Date.now() < deadline && stream.status === 'open') {
          if (!stream.send(lengthPrefixed(request))) await Promise.race([new Promise(resolve => { stream.addEventListener('drain', resolve, { once: true }) }), sleep(500)])
          await sleep(20)
        }
      } catch {}
      if (stream.status !== 'open') ended++
      stream.abort(new Error('attack over'))
      await reading
    }
  }
  await Promise.all(Array.from({ length: opts.streams }, one))
  return ended
}

/**
 * Proposals whose chunks the hub must fetch from us (who serve nothing): `count` of `chunks`
 * chunks each, sent until `ms` pass (a hub that stops reading makes the writes wait). Returns
 * how many were sent.
 */
export async function stuckProposals (s: SyncSession, count: number, chunks: number, ms: number, paced?: (sent: number) => Promise<void>): Promise<number> {
  const signal = AbortSignal.timeout(ms)
  let sent = 0
  for (let i = 0; i < count && s.stream.status === 'open' && !signal.aborted; i++) {
    try {
      await s.lp.write(encodeClientMessage({ type: 'propose', propose: { id: s.nextId(), entry: phantomFile(`stuck/${i}.bin`, chunks), baseSeq: 0, blocks: [] } }), { signal })
      sent++
      await paced?.(sent)
    } catch { break }
  }
  return sent
}

/** Stops granting the peer send window on this stream: the peer can send 256 KiB, then must
 * queue (js-yamux grants more as data arrives, whether or not anybody reads it). */
export function stopReading (stream: Stream): void {
  (stream as unknown as { sendWindowUpdate: () => void }).sendWindowUpdate = () => {}
}

/** Cheap valid proposals (deletions of paths the hub never had), sent without reading a result. */
export async function unreadProposals (s: SyncSession, count: number): Promise<void> {
  const frames: Uint8Array[] = []
  for (let i = 0; i < count && s.stream.status === 'open'; i++) {
    frames.push(encodeClientMessage({ type: 'propose', propose: { id: s.nextId(), entry: tombstone(`nothing/${i}`, 'file', 1n), baseSeq: 0, blocks: [] } }))
    if (frames.length === 256) { s.stream.send(lengthPrefixedAll(frames.splice(0))); await sleep(0) }
  }
  if (frames.length > 0) s.stream.send(lengthPrefixedAll(frames))
}

/** Proposals the hub refuses (a path out of the folder), `count` of them, results read. */
export async function refusedProposals (s: SyncSession, count: number): Promise<void> {
  let last = 0
  for (let i = 0; i < count; i++) {
    last = s.nextId()
    await s.lp.write(encodeClientMessage({ type: 'propose', propose: { id: last, entry: oneChunkFile(`../escape-${i}`, Uint8Array.of(1)), baseSeq: 0, blocks: [] } }))
  }
  await resultOf(s, last, AbortSignal.timeout(60_000))
}

function lengthPrefixed (frame: Uint8Array): Uint8Array {
  return lengthPrefixedAll([frame])
}

function lengthPrefixedAll (frames: Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = []
  for (const f of frames) {
    const prefix: number[] = []
    for (let n = f.byteLength; ; n = Math.floor(n / 128)) {
      if (n < 128) { prefix.push(n); break }
      prefix.push((n % 128) | 0x80)
    }
    parts.push(Uint8Array.from(prefix), f)
  }
  return Buffer.concat(parts)
}

async function sleep (ms: number): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, ms))
}
