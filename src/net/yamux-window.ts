// js-yamux 8 sends a window update for every data frame a stream consumes: a yamux frame, a
// Noise frame and a socket write back, then a read and a decrypt on the other side, for every
// frame received. go-yamux sends one only once half the window has been consumed (the yamux spec
// leaves the choice to the receiver). This applies go-yamux's rule to the yamux streams of this
// process; streams being opened or accepted (SYN, ACK), paused or finished are left to js-yamux,
// and if js-yamux renames what this reads, the test fails and the update is sent as before.
import { StreamState, YamuxStream } from '@chainsafe/libp2p-yamux/stream'

/** what decides an update (private in js-yamux's types) */
interface WindowState { state: StreamState, recvWindow: number, recvWindowCapacity: number }

const sendWindowUpdate = YamuxStream.prototype.sendWindowUpdate

YamuxStream.prototype.sendWindowUpdate = function (this: YamuxStream): void {
  const s = this as unknown as WindowState
  if (s.state === StreamState.Established && s.recvWindow - s.recvWindowCapacity < s.recvWindow / 2) return
  sendWindowUpdate.call(this)
}
