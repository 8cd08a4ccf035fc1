// Liveness of a node's connections by yamux's own ping frames: a 12-byte frame each way on the
// open connection, where libp2p's connection monitor opened a stream and ran multistream-select
// for every ping (~0.7 ms of the hub's CPU each). A connection whose peer does not answer in time
// is aborted, which is what makes a frozen peer look gone (`peer:disconnect`).
// libp2p keeps the muxer as a public field of its Connection class but not in the interface type;
// if a release renames it, `muxerPing` throws MuxerPingUnavailableError and the unit test fails.
import { logger } from '../logger.ts'
import type { Libp2p } from 'libp2p'
import type { Connection } from '@libp2p/interface'

const log = logger('net')

export interface LivenessOptions {
  /** time between two pings of one connection */
  intervalMs: number
  /** a ping not answered within this is a dead connection */
  timeoutMs: number
}

export class MuxerPingUnavailableError extends Error {
  override name = 'MuxerPingUnavailableError'
  readonly code = 'ERR_MUXER_PING_UNAVAILABLE'
}

export class PingTimeoutError extends Error {
  override name = 'PingTimeoutError'
  readonly code = 'ERR_PING_TIMEOUT'
}

interface PingingMuxer { ping: (options?: { signal?: AbortSignal }) => Promise<number> }

function pingingMuxer (connection: Connection): PingingMuxer {
  const muxer: unknown = (connection as unknown as { muxer?: unknown }).muxer
  if (typeof muxer !== 'object' || muxer == null || typeof (muxer as Partial<PingingMuxer>).ping !== 'function') {
    throw new MuxerPingUnavailableError(`connection ${connection.id} has no muxer with a ping (libp2p or yamux changed)`)
  }
  return muxer as PingingMuxer
}

/** One yamux ping on the connection; resolves with the round trip in ms. */
export async function muxerPing (connection: Connection, signal: AbortSignal): Promise<number> {
  return await pingingMuxer(connection).ping({ signal })
}

/** Pings every connection of `node` every `intervalMs`, each on its own phase, until `stop()`. */
export class ConnectionLiveness {
  readonly #node: Libp2p
  readonly #opts: LivenessOptions
  readonly #timers = new Map<string, NodeJS.Timeout>()
  #unavailableSaid = false

  constructor (node: Libp2p, opts: LivenessOptions) {
    this.#node = node
    this.#opts = opts
  }

  readonly #onOpen = (evt: CustomEvent<Connection>): void => { this.#schedule(evt.detail) }
  readonly #onClose = (evt: CustomEvent<Connection>): void => { this.#forget(evt.detail.id) }

  start (): void {
    this.#node.addEventListener('connection:open', this.#onOpen)
    this.#node.addEventListener('connection:close', this.#onClose)
    for (const c of this.#node.getConnections()) this.#schedule(c)
  }

  stop (): void {
    this.#node.removeEventListener('connection:open', this.#onOpen)
    this.#node.removeEventListener('connection:close', this.#onClose)
    for (const t of this.#timers.values()) clearTimeout(t)
    this.#timers.clear()
  }

  #forget (id: string): void {
    clearTimeout(this.#timers.get(id))
    this.#timers.delete(id)
  }

  #schedule (connection: Connection): void {
    if (connection.status !== 'open') return
    this.#forget(connection.id)
    const timer = setTimeout(() => { void this.#ping(connection) }, this.#opts.intervalMs)
    timer.unref()
    this.#timers.set(connection.id, timer)
  }

  async #ping (connection: Connection): Promise<void> {
    if (!this.#timers.has(connection.id) || connection.status !== 'open') return
    try {
      await muxerPing(connection, AbortSignal.timeout(this.#opts.timeoutMs))
    } catch (err) {
      if (err instanceof MuxerPingUnavailableError) {
        if (!this.#unavailableSaid) log.error({ err: err.message }, 'connections are not checked for liveness')
        this.#unavailableSaid = true
        return
      }
      if (connection.status !== 'open') return
      const reason = (err as Error).name === 'TimeoutError' ? `no answer to a ping within ${this.#opts.timeoutMs} ms` : (err as Error).message
      log.debug({ peer: connection.remotePeer.toString(), reason }, 'connection dead; closing it')
      this.#forget(connection.id)
      connection.abort(new PingTimeoutError(reason))
      return
    }
    if (this.#timers.has(connection.id)) this.#schedule(connection)
  }
}
