// js-yamux 8 sends a window update for every data frame a stream consumes: a yamux frame, a
// Noise frame and a socket write back, then a read and a decrypt on the other side, for every
// frame received. go-yamux sends one only once half the window has been consumed (the yamux spec
// leaves the choice to the receiver). This applies go-yamux's rule to the yamux streams of this
// process; streams being opened or accepted (SYN, ACK), paused or finished are left to js-yamux,
// and if js-yamux renames what this reads, the test fails and the update is sent as before.
import { StreamState, YamuxStream } from '@chainsafe/libp2p-yamux/stream'
import type { Stream } from '@libp2p/interface'

/** what decides an update (private in js-yamux's types) */
interface WindowState { state: StreamState, recvWindow: number, recvWindowCapacity: number, maxStreamWindowSize: number }

const sendWindowUpdate = YamuxStream.prototype.sendWindowUpdate

YamuxStream.prototype.sendWindowUpdate = function (this: YamuxStream): void {
  const s = this as unknown as WindowState
  if (s.state === StreamState.Established && s.recvWindow - s.recvWindowCapacity < s.recvWindow / 2) return
  sendWindowUpdate.call(this)
}

/**
 * Lets the peer send up to `bytes` on this stream without waiting for a window update, at once.
 * js-yamux grows a window only when its ping RTT is known and small against the update interval:
 * on a fresh connection (no ping yet) or behind a queue it stays at 256 KiB, and a blocks fetch
 * over a 50 Mbit/s link waited on updates a fifth of the time (design notes, issue 18). For a
 * stream whose reader bounds what it asks for itself. False if this is not a yamux stream.
 */
export function widenReceiveWindow (stream: Stream, bytes: number): boolean {
  if (!(stream instanceof YamuxStream)) return false
  const s = stream as unknown as WindowState
  if (typeof s.recvWindow !== 'number' || typeof s.recvWindowCapacity !== 'number') return false
  if (s.recvWindow >= bytes) return true
  // js-yamux doubles a window past this on its own when the RTT allows: kept to what was asked
  s.maxStreamWindowSize = bytes
  s.recvWindow = bytes
  sendWindowUpdate.call(stream)
  return true
}
