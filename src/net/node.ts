// The libp2p node both services run on: TCP, Noise, yamux, an allowlist gate, and a
// connection monitor whose pings are what notice a frozen peer.
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { preSharedKey } from '@libp2p/pnet'
import { noiseCrypto } from './noise-crypto.ts'
import './yamux-window.ts'
import type { PrivateKey } from '@libp2p/interface'

export interface NodeOptions {
  privateKey: PrivateKey
  listen?: string[]
  /** peer IDs admitted inbound; undefined admits everyone */
  allow?: Set<string>
  /** how often each connection is pinged: a ping opens a stream (yamux + multistream-select), so
   * a hub pinging fifty clients every second spent 8% of a core doing nothing else */
  pingIntervalMs: number
  /** the swarm key file's bytes (src/net/psk.ts): every connection of this node needs it */
  psk?: Uint8Array
}

export async function createNode (opts: NodeOptions): Promise<Libp2p> {
  const allow = opts.allow
  return await createLibp2p({
    privateKey: opts.privateKey,
    addresses: { listen: opts.listen ?? [] },
    transports: [tcp()],
    connectionEncrypters: [noise({ crypto: noiseCrypto })],
    streamMuxers: [yamux()],
    ...(opts.psk != null ? { connectionProtector: preSharedKey({ psk: opts.psk }) } : {}),
    connectionGater: {
      // runs after Noise has authenticated the peer and before any protocol: an unknown peer
      // never reaches distsync code
      denyInboundEncryptedConnection: (peerId) => allow != null && !allow.has(peerId.toString()),
      // a client only ever talks to its hub; loopback and private addresses are its normal case
      denyDialMultiaddr: () => false
    },
    connectionManager: {
      // the default (5 new connections a second per host) refuses clients that reconnect together
      // after a hub restart, and clients behind one NAT address
      inboundConnectionThreshold: 1000,
      // fifty clients reconnecting at once after a hub restart must not be turned away mid-handshake
      maxIncomingPendingConnections: 256,
      maxConnections: 1000
    },
    connectionMonitor: {
      pingInterval: opts.pingIntervalMs,
      pingTimeout: { minTimeout: 1000, maxTimeout: 2000 }
    },
    start: false
  })
}
