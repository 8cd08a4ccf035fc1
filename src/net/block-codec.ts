// Chunk compression for the wire: zstd when it makes the chunk smaller, raw otherwise.
import { constants, zstdCompressSync, zstdDecompressSync } from 'node:zlib'
import { sha256 } from '../chunk/hash.ts'
import { bytesEqual } from '../index/entry.ts'
import { ProtocolError } from '../protocol/errors.ts'

export interface StoredBlock { data: Uint8Array, zstd: boolean }

const SAMPLE = 4096
/** A sample that compresses by less than this is taken as incompressible (media, archives, encrypted
 * data): compressing the whole chunk would cost CPU for nothing. */
const SAMPLE_RATIO = 0.95
const PARAMS = { [constants.ZSTD_c_compressionLevel]: 3 }

/** zstd into one output buffer that fits any result (zstd's compress bound is at most n + n/256
 * + 64): zlib's default is 16 KiB, so every small file left 16 KiB of garbage behind it. */
function compress (data: Uint8Array): Buffer {
  return zstdCompressSync(data, { params: PARAMS, chunkSize: data.byteLength + (data.byteLength >> 8) + 128 })
}

export function compressBlock (data: Uint8Array): StoredBlock {
  if (data.byteLength > SAMPLE * 2) {
    const sample = compress(data.subarray(0, SAMPLE))
    if (sample.byteLength > SAMPLE * SAMPLE_RATIO) return { data, zstd: false }
  }
  const packed = compress(data)
  return packed.byteLength < data.byteLength ? { data: packed, zstd: true } : { data, zstd: false }
}

/** Decompresses (bounded by the size the entry promised) and verifies the chunk's hash. */
export function openBlock (block: StoredBlock, hash: Uint8Array, size: number): Uint8Array {
  let data: Uint8Array
  try {
    // one output buffer of the promised size (+1, so that a full buffer is not taken for "more to
    // come"): with zlib's 16 KiB default a 64 KiB chunk took five buffers and a concat, 144 KB of
    // garbage and 146 µs; sized, 64 KB and 105 µs. `size` is bounded (the codec refuses chunks
    // over CHUNK_MAX), so a peer cannot make this allocate more than a chunk
    data = block.zstd ? zstdDecompressSync(block.data, { maxOutputLength: Math.max(size, 1), chunkSize: Math.max(size + 1, 64) }) : block.data
  } catch (err) {
    throw new ProtocolError('ERR_BAD_BLOCK', `chunk does not decompress: ${(err as Error).message}`)
  }
  if (data.byteLength !== size || !bytesEqual(sha256(data), hash)) {
    throw new ProtocolError('ERR_BAD_BLOCK', 'chunk does not match its hash')
  }
  return data
}
