// Handshakes (a TCP connection accepted, Noise and yamux not done yet) counted per IP address.
// libp2p counts them only globally (maxIncomingPendingConnections): 300 idle sockets from one
// address filled every slot and an allowlisted client's dial was reset for as long as they stayed.
import type { Socket } from 'node:net'
import type { ConnectionEncrypter, MessageStream, MultiaddrConnection } from '@libp2p/interface'

interface Pending { maConn: MultiaddrConnection, since: number, stopCounting: () => void }

export interface PendingLimits {
  perAddress: number
  /** a handshake younger than this is never dropped for a newcomer */
  graceMs: number
  /** bytes a connection may send before it has chosen its encryption (multistream-select reads
   * a length prefix byte by byte, each an await: 8 sockets of garbage kept a core busy) */
  maxBytes: number
}

export class PendingHandshakes {
  readonly #limits: PendingLimits
  readonly #byHost = new Map<string, Pending[]>()
  readonly #now: () => number
  /** handshakes dropped for a newcomer, and newcomers refused, since start */
  dropped = 0
  refused = 0
  /** connections aborted for sending too much before their handshake was done */
  overLength = 0

  constructor (limits: PendingLimits, now: () => number = Date.now) {
    this.#limits = limits
    this.#now = now
  }

  /** Pending handshakes from this connection's address (for tests and logs). */
  count (host: string): number { return this.#byHost.get(host)?.length ?? 0 }

  /**
   * A new inbound connection: true refuses it. Past the per-address limit the oldest handshake of
   * that address is dropped if it is past the grace period (an honest one takes milliseconds);
   * if none is, the newcomer is refused.
   */
  admit (maConn: MultiaddrConnection): boolean {
    const host = hostOf(maConn.remoteAddr)
    if (host == null) return false
    const list = this.#byHost.get(host) ?? []
    if (list.length >= this.#limits.perAddress) {
      const oldest = list[0]!
      if (this.#now() - oldest.since < this.#limits.graceMs) {
        this.refused++
        return true
      }
      this.dropped++
      this.#remove(host, oldest.maConn)
      oldest.maConn.abort(new Error('handshake dropped: too many pending from this address'))
    }
    list.push({ maConn, since: this.#now(), stopCounting: this.#countBytes(maConn) })
    this.#byHost.set(host, list)
    maConn.addEventListener('close', () => { this.#remove(host, maConn) }, { once: true })
    return false
  }

  /**
   * The connection has chosen its encryption: multistream-select, the part that a stream of
   * garbage could keep busy, is behind it, and the byte count stops. What follows is framed (Noise
   * messages of at most 64 KiB, then yamux), and a client that opens many streams the instant its
   * own side of the handshake is done sends more than the bound before this side has finished.
   */
  encrypting (remote: MessageStream): void {
    const addr = (remote as Partial<MultiaddrConnection>).remoteAddr
    const host = addr == null ? undefined : hostOf(addr)
    if (addr == null || host == null) return
    const text = addr.toString()
    this.#byHost.get(host)?.find(p => p.maConn.remoteAddr.toString() === text)?.stopCounting()
  }

  /** The handshake is over (the connection is upgraded or refused). */
  done (maConn: MultiaddrConnection): void {
    const host = hostOf(maConn.remoteAddr)
    if (host != null) this.#remove(host, maConn)
  }

  #remove (host: string, maConn: MultiaddrConnection): void {
    const list = this.#byHost.get(host)
    if (list == null) return
    const i = list.findIndex(p => p.maConn === maConn)
    if (i >= 0) list.splice(i, 1)[0]!.stopCounting()
    if (list.length === 0) this.#byHost.delete(host)
  }

  /** Counts what the socket receives ahead of libp2p's own listener, so that the connection is
   * aborted before libp2p reads past the bound. A connection that is not TCP is not counted. */
  #countBytes (maConn: MultiaddrConnection): () => void {
    const socket = (maConn as MultiaddrConnection & { socket?: Socket }).socket
    if (socket == null || typeof socket.prependListener !== 'function') return () => {}
    let bytes = 0
    const onData = (buf: Buffer): void => {
      bytes += buf.byteLength
      if (bytes <= this.#limits.maxBytes) return
      this.overLength++
      socket.off('data', onData)
      maConn.abort(new Error(`${bytes} bytes before the handshake was done`))
    }
    socket.prependListener('data', onData)
    return () => { socket.off('data', onData) }
  }
}

function hostOf (addr: MultiaddrConnection['remoteAddr']): string | undefined {
  return addr.getComponents().find(c => c.name === 'ip4' || c.name === 'ip6')?.value
}

/** `factory`'s encrypter, telling `pending` when an inbound connection starts to use it. */
export function countedUntilEncrypting<C, E extends ConnectionEncrypter<unknown>> (factory: (components: C) => E, pending: PendingHandshakes): (components: C) => E {
  return components => {
    const encrypter = factory(components)
    const secureInbound = encrypter.secureInbound.bind(encrypter)
    encrypter.secureInbound = async (connection, options) => {
      pending.encrypting(connection)
      return await secureInbound(connection, options)
    }
    return encrypter
  }
}
