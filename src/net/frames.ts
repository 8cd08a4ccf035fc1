import type { LengthPrefixedStream } from '@libp2p/utils'
import type { Uint8ArrayList } from 'uint8arraylist'

/** Next length-prefixed frame, or null when the peer closed its end. lpStream reports a
 * close between frames as UnexpectedEOFError, the same as a close inside one. */
export async function readFrame (lp: LengthPrefixedStream, signal: AbortSignal): Promise<Uint8ArrayList | null> {
  try {
    return await lp.read({ signal })
  } catch (err) {
    if ((err as Error).name === 'UnexpectedEOFError') return null
    throw err
  }
}
