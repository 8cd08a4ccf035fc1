// Vectored writes that finish: a write to a regular file may be short (a full disk, a signal),
// and what it left out must not silently become a hole.
import { writevSync } from 'node:fs'

/** The buffers past the first `skip` bytes (after a short write). */
export function restFrom (buffers: Uint8Array[], skip: number): Uint8Array[] {
  const out: Uint8Array[] = []
  for (const b of buffers) {
    if (skip >= b.byteLength) { skip -= b.byteLength; continue }
    out.push(skip > 0 ? b.subarray(skip) : b)
    skip = 0
  }
  return out
}

export function writeAllSync (fd: number, buffers: Uint8Array[], position: number): void {
  const total = buffers.reduce((n, b) => n + b.byteLength, 0)
  let written = writevSync(fd, buffers, position)
  while (written < total) written += writevSync(fd, restFrom(buffers, written), position + written)
}
