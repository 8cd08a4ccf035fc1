// FastCDC (Xia et al., 2016) with normalised chunking: a boundary depends only on the bytes in a
// window before it, so an insert shifts no later boundary. Pure: no I/O.
import { GEAR } from './gear-table.ts'

export interface ChunkerOptions { min: number, avg: number, max: number }

function maskOf (bits: number): number {
  // the top `bits` bits of a 32-bit word: the gear hash mixes best into the high bits
  return bits <= 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0
}

/** The same 32-bit values as signed ints: V8 keeps int32 arithmetic in registers, while values
 * above 2^31 (what `>>> 0` makes) became heap numbers. Same cut points, ~1.5-2x the speed. */
const GEAR32 = new Int32Array(GEAR.buffer, GEAR.byteOffset, GEAR.length)

/** The two masks of normalised chunking: harder to cut before avg, easier after. */
function masks (avg: number): { small: number, large: number } {
  const bits = Math.round(Math.log2(avg))
  return { small: maskOf(bits + 2) | 0, large: maskOf(bits - 2) | 0 }
}

/**
 * Length of the next chunk at the start of `buf`. When `final` is false and no boundary is
 * found within `buf`, returns 0: the caller must supply more bytes (at least `max`).
 */
export function nextCut (buf: Uint8Array, start: number, end: number, opts: ChunkerOptions, final: boolean): number {
  const n = end - start
  if (n <= opts.min) return final ? n : 0
  const { small, large } = masks(opts.avg)
  const limit = Math.min(n, opts.max)
  const normal = Math.min(limit, opts.avg)
  let hash = 0
  let i = start + opts.min
  for (const stop = start + normal; i < stop; i++) {
    hash = ((hash << 1) + GEAR32[buf[i]!]!) | 0
    if ((hash & small) === 0) return i - start + 1
  }
  for (const stop = start + limit; i < stop; i++) {
    hash = ((hash << 1) + GEAR32[buf[i]!]!) | 0
    if ((hash & large) === 0) return i - start + 1
  }
  if (limit === opts.max) return limit
  return final ? n : 0
}

/** All chunk lengths of a whole buffer (used by tests and small files). */
export function chunkLengths (buf: Uint8Array, opts: ChunkerOptions): number[] {
  const out: number[] = []
  let pos = 0
  while (pos < buf.length) {
    const len = nextCut(buf, pos, buf.length, opts, true)
    out.push(len)
    pos += len
  }
  return out
}
