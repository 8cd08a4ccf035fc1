// Dialing the hub and telling apart why it failed: the answer decides the client's exit code.
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import type { Connection, Stream } from '@libp2p/interface'
import { tcpAnswers } from '../net/tcp-probe.ts'

export class HubAddressError extends Error {
  override name = 'HubAddressError'
  readonly code = 'ERR_HUB_ADDRESS'
}
export class HubUnreachableError extends Error {
  override name = 'HubUnreachableError'
  readonly code = 'ERR_HUB_UNREACHABLE'
}
export class HubRefusedError extends Error {
  override name = 'HubRefusedError'
  readonly code = 'ERR_HUB_REFUSED'
}
export class HubLostError extends Error {
  override name = 'HubLostError'
  readonly code = 'ERR_HUB_LOST'
}

export interface HubAddress { addr: Multiaddr, peer: string }

export function parseHubAddress (text: string): HubAddress {
  let addr: Multiaddr
  try {
    addr = multiaddr(text)
  } catch (err) {
    throw new HubAddressError(`--hub ${text} is not a multiaddr: ${(err as Error).message}`)
  }
  const peer = addr.getComponents().findLast(c => c.name === 'p2p')?.value
  if (peer == null) throw new HubAddressError(`--hub ${text} must end with /p2p/<hub peer ID> (the hub prints its full address)`)
  return { addr, peer }
}

const DIAL_TIMEOUT_MS = 5000

export interface DialOptions {
  /** this node runs with a pre-shared key (pnet: a key that differs from the peer's, or a key
   * on one side only, can stall the handshake rather than fail it) */
  psk?: boolean
  /** a hub that accepts TCP but completes no handshake is refused, not unreachable: right for
   * the first dial (the key or the address is wrong), not for reconnects (a busy hub) */
  stallIsRefusal?: boolean
}

export async function dialHub (node: Libp2p, hub: HubAddress, signal: AbortSignal, opts: DialOptions = {}): Promise<Connection> {
  try {
    return await node.dial(hub.addr, { signal: AbortSignal.any([signal, AbortSignal.timeout(DIAL_TIMEOUT_MS)]) })
  } catch (err) {
    signal.throwIfAborted()
    const classified = classifyDialError(err instanceof Error ? err : new Error(describe(err)), hub)
    if (opts.stallIsRefusal === true && classified instanceof HubUnreachableError && await tcpAnswers(hub.addr, 1000, signal)) {
      const why = opts.psk === true ? 'this client\'s pre-shared key (--psk) probably differs from the hub\'s' : 'the hub probably requires a pre-shared key (--psk) this client does not have'
      throw new HubRefusedError(`hub ${hub.addr.toString()} accepts TCP connections but completed no handshake in ${DIAL_TIMEOUT_MS / 1000} s: ${why}`)
    }
    throw classified
  }
}

/**
 * Opens the sync stream. The hub's gate runs after the Noise handshake, so a refused client may
 * see its dial succeed and the connection close before its first stream opens.
 */
export async function openSyncStream (connection: Connection, protocol: string, hub: HubAddress, signal: AbortSignal): Promise<Stream> {
  try {
    return await connection.newStream(protocol, { signal })
  } catch (err) {
    signal.throwIfAborted()
    if ((err as Error)?.name === 'UnsupportedProtocolError') {
      throw new HubRefusedError(`hub ${hub.peer} does not speak ${protocol}: hub and clients must run the same version of distsync`)
    }
    if (connection.status !== 'open') {
      return await Promise.reject(new HubRefusedError(`hub ${hub.peer} closed the connection at once: this client's peer ID is probably not on the hub's allowlist`))
    }
    throw new HubUnreachableError(`cannot open a sync stream to the hub: ${describe(err)}`)
  }
}

/** libp2p sometimes rejects with an Event rather than an Error. */
function describe (err: unknown): string {
  if (err instanceof Error) return err.message
  if (typeof err === 'object' && err != null && 'type' in err) return `${String((err as Event).type)} event`
  return String(err)
}

/** Maps libp2p's dial failures to what a user can act on. */
export function classifyDialError (err: Error, hub: HubAddress): Error {
  const text = `${err.name} ${err.message} ${(err as { cause?: Error }).cause?.message ?? ''}`
  // Noise fails at once when one side XORs its bytes with a pre-shared key the other lacks or
  // does not share (measured: ECONNRESET or "Missing newline" within 30 ms)
  if (err.name === 'EncryptionFailedError') {
    return new HubRefusedError(`the handshake with hub ${hub.peer} failed (${err.message}): this client's pre-shared key (--psk) is missing or differs from the hub's`)
  }
  if (/ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|Timeout|aborted/i.test(text)) {
    return new HubUnreachableError(`hub ${hub.addr.toString()} is not reachable (${err.message})`)
  }
  if (/unexpected peer|peer id|UnexpectedPeer|InvalidPeerId/i.test(text)) {
    return new HubAddressError(`the node at ${hub.addr.toString()} is not hub ${hub.peer} (${err.message})`)
  }
  // The hub's gate closes the connection right after the Noise handshake: the dialer sees an
  // end of stream while upgrading.
  if (/EOF|end of stream|stream ended|ended|reset|closed|ECONNRESET|EPIPE/i.test(text)) {
    return new HubRefusedError(`hub ${hub.peer} refused this client: its peer ID is probably not on the hub's allowlist (or the hub runs without this client's --psk)`)
  }
  return new HubUnreachableError(`cannot connect to hub ${hub.addr.toString()}: ${err.message}`)
}
