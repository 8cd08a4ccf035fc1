// The libp2p node both services run on: TCP, Noise, yamux, an allowlist gate, and yamux pings
// (src/net/liveness.ts) that notice a frozen peer.
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { preSharedKey } from '@libp2p/pnet'
import { noiseCrypto } from './noise-crypto.ts'
import './yamux-window.ts'
import { countedUntilEncrypting, PendingHandshakes } from './pending-handshakes.ts'
import { ConnectionLiveness } from './liveness.ts'
import { CONNECTIONS_PER_PEER, CONNECTIONS_PER_SECOND_PER_ADDRESS, MAX_CONNECTIONS, HANDSHAKE_TIMEOUT_MS, PRE_HANDSHAKE_BYTES, PENDING_HANDSHAKES, PENDING_HANDSHAKES_PER_ADDRESS, PENDING_HANDSHAKE_GRACE_MS, STREAMS_PER_CONNECTION, STREAM_WRITE_BUFFER } from './limits.ts'
import type { PrivateKey } from '@libp2p/interface'

const DEFAULT_PING_TIMEOUT_MS = 2000

export interface NodeOptions {
  privateKey: PrivateKey
  listen?: string[]
  /** peer IDs admitted inbound; undefined admits everyone */
  allow?: Set<string>
  /** how often each connection is pinged (a yamux ping frame each way, src/net/liveness.ts) */
  pingIntervalMs: number
  /** a ping not answered within this closes the connection (default 2000) */
  pingTimeoutMs?: number
  /** the swarm key file's bytes (src/net/psk.ts): every connection of this node needs it */
  psk?: Uint8Array
}

export async function createNode (opts: NodeOptions): Promise<Libp2p> {
  const allow = opts.allow
  const pending = new PendingHandshakes({ perAddress: PENDING_HANDSHAKES_PER_ADDRESS, graceMs: PENDING_HANDSHAKE_GRACE_MS, maxBytes: PRE_HANDSHAKE_BYTES })
  // the gate counts a peer's connections through the node it gates
  let self: Libp2p | undefined
  const node = await createLibp2p({
    privateKey: opts.privateKey,
    addresses: { listen: opts.listen ?? [] },
    transports: [tcp()],
    // the bytes allowed before a handshake are counted until the encryption is chosen (pending-handshakes.ts)
    connectionEncrypters: [countedUntilEncrypting(noise({ crypto: noiseCrypto }), pending)],
    // a stream whose peer does not read is reset past its write buffer, not kept growing
    // yamux's keep-alive pings without ever closing a dead connection: ConnectionLiveness does both.
    // Streams that arrive before this side has finished the connection ("early") are held, up to
    // the streams a connection may have: past libp2p's 10, a client that opened its fetches the
    // instant its dial returned lost the whole connection (MaxEarlyStreamsError)
    streamMuxers: [yamux({ maxInboundStreams: STREAMS_PER_CONNECTION, maxEarlyStreams: STREAMS_PER_CONNECTION, enableKeepAlive: false, streamOptions: { maxWriteBufferLength: STREAM_WRITE_BUFFER } })],
    ...(opts.psk != null ? { connectionProtector: preSharedKey({ psk: opts.psk }) } : {}),
    connectionGater: {
      // before any byte is read: strangers on one address cannot hold every handshake slot
      denyInboundConnection: (maConn) => pending.admit(maConn),
      // runs after Noise has authenticated the peer and before any protocol: an unknown peer
      // never reaches distsync code
      denyInboundEncryptedConnection: (peerId) => allow != null && !allow.has(peerId.toString()),
      denyInboundUpgradedConnection: (peerId, maConn) => {
        pending.done(maConn)
        return (self?.getConnections(peerId).length ?? 0) >= CONNECTIONS_PER_PEER
      },
      // a client only ever talks to its hub; loopback and private addresses are its normal case
      denyDialMultiaddr: () => false
    },
    connectionManager: {
      // the default (5 new connections a second per host) refuses clients that reconnect together
      // after a hub restart, and clients behind one NAT address
      inboundConnectionThreshold: CONNECTIONS_PER_SECOND_PER_ADDRESS,
      // fifty clients reconnecting at once after a hub restart must not be turned away mid-handshake
      maxIncomingPendingConnections: PENDING_HANDSHAKES,
      // a socket that has not finished Noise and yamux by then is closed (libp2p's default: 10 s)
      inboundUpgradeTimeout: HANDSHAKE_TIMEOUT_MS,
      maxConnections: MAX_CONNECTIONS
    },
    // its pings open a stream and run multistream-select each time (design notes, issue 20)
    connectionMonitor: { enabled: false },
    start: false
  })
  self = node
  const liveness = new ConnectionLiveness(node, { intervalMs: opts.pingIntervalMs, timeoutMs: opts.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS })
  node.addEventListener('start', () => { liveness.start() }, { once: true })
  node.addEventListener('stop', () => { liveness.stop() }, { once: true })
  return node
}
