// Length-prefixed framing whose prefix is bounded: lpStream from @libp2p/utils checks its
// maxLengthLength only once a varint decodes, so a prefix whose bytes all carry the continuation
// bit was read (and kept, ~100 B of heap per byte) for as long as the peer kept sending.
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils'
import type { Uint8ArrayList } from 'uint8arraylist'
import type { Stream } from '@libp2p/interface'
import { MAX_LENGTH_PREFIX_BYTES } from './limits.ts'

export class LengthPrefixError extends Error {
  override name = 'LengthPrefixError'
  readonly code = 'ERR_LENGTH_PREFIX_TOO_LONG'
}

/** Bytes of the varint that encodes n. */
export function varintLength (n: number): number {
  let bytes = 1
  for (let v = n; v >= 0x80; v = Math.floor(v / 0x80)) bytes++
  return bytes
}

/** Thrown for every frame whose prefix is longer than a byte (lpStream reads a prefix one byte
 * at a time), so made once: a new RangeError captured the whole async stack each time, 3% of a
 * chain receiver's CPU (design notes, issue 18). */
const INCOMPLETE = new RangeError('length prefix incomplete')

/** Decodes a varint prefix but fails once it has more bytes than any allowed frame needs.
 * lpStream asks again with one more byte on RangeError (prefix incomplete); any other error ends the read. */
export function boundedLengthDecoder (maxBytes: number): (data: Uint8ArrayList) => number {
  return (data) => {
    let value = 0
    for (let i = 0; i < data.byteLength; i++) {
      if (i >= maxBytes) break
      const b = data.get(i)
      value += (b & 0x7f) * 2 ** (7 * i)
      if (b < 0x80) return value
    }
    if (data.byteLength >= maxBytes) throw new LengthPrefixError(`length prefix longer than ${maxBytes} bytes`)
    throw INCOMPLETE
  }
}

export interface BoundedLpOptions {
  maxDataLength: number
  /** bytes read from the stream and not yet taken as frames */
  maxBufferSize: number
}

export function boundedLpStream (stream: Stream, opts: BoundedLpOptions): LengthPrefixedStream {
  const prefixBytes = Math.min(MAX_LENGTH_PREFIX_BYTES, varintLength(opts.maxDataLength))
  return lpStream(stream, { ...opts, maxLengthLength: prefixBytes, lengthDecoder: boundedLengthDecoder(prefixBytes) })
}
