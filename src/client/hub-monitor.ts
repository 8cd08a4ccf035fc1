// The hub monitor (the original's "server monitor" thread): holds the connection to the hub and
// its sync channel, notices the hub going (libp2p connection events plus pings), and reconnects
// within the grace period. Each connection is one session with its own generation number, so
// work started on an older session never reports progress on a newer one.
import { setTimeout as sleep } from 'node:timers/promises'
import { SYNC_PROTOCOL } from '../protocol/constants.ts'
import { SyncChannel, type ChannelHandlers } from './sync-channel.ts'
import { HubLostError, HubRefusedError, HubUnreachableError, dialHub, openSyncStream, type DialOptions, type HubAddress } from './hub-link.ts'
import { logger } from '../logger.ts'
import type { Libp2p } from 'libp2p'
import type { Connection, Stream } from '@libp2p/interface'

const log = logger('client')

const RECONNECT_MIN_MS = 250
const RECONNECT_MAX_MS = 5000
const REFUSAL_ATTEMPTS = 3

/** What a session needs from the parts that use it. */
export interface SessionHandlers {
  /** a session is starting: the seq to resume after, and the handlers for what the hub sends */
  opening: (gen: number) => { sinceSeq: number, handlers: ChannelHandlers }
  /** the session runs; the returned function is called when it ends */
  opened: () => () => void
}

export interface HubMonitorOptions {
  node: Libp2p
  hub: HubAddress
  folder: string
  graceMs: number
  signal: AbortSignal
  /** addresses other members may dial this client at (told to the hub in every Hello) */
  addrs?: () => string[]
  /** this node runs with a pre-shared key (how a stalled handshake is explained) */
  psk?: boolean
}

export class HubMonitor {
  readonly #opts: HubMonitorOptions
  #connection: Connection | undefined
  #channel: SyncChannel | undefined
  #generation = 0

  constructor (opts: HubMonitorOptions) {
    this.#opts = opts
  }

  /** The current session's channel; undefined between sessions. */
  get channel (): SyncChannel | undefined { return this.#channel }
  get connection (): Connection | undefined { return this.#connection }
  /** Bumped per session. */
  get generation (): number { return this.#generation }

  /** The first dial: throws at once if the hub cannot be reached or refuses. */
  async connect (): Promise<void> {
    this.#connection = await dialHub(this.#opts.node, this.#opts.hub, this.#opts.signal, { ...this.#dial, stallIsRefusal: true })
  }

  get #dial (): DialOptions { return { psk: this.#opts.psk === true } }

  /** One session per hub connection; when the hub goes, reconnects within the grace period. */
  async run (session: SessionHandlers): Promise<void> {
    const { signal } = this.#opts
    let stream = await this.#openStream()
    while (!signal.aborted) {
      const gen = ++this.#generation
      const lost = hubLost(this.#opts.node, this.#opts.hub.peer, this.#connection!, signal)
      const channel = new SyncChannel(stream, this.#opts.folder, signal)
      this.#channel = channel
      const { sinceSeq, handlers } = session.opening(gen)
      const running = channel.run(sinceSeq, this.#opts.addrs?.() ?? [], handlers)
      const ended = session.opened()
      await Promise.race([running, lost.promise]).finally(() => {
        ended()
        lost.cancel()
      })
      channel.close()
      this.#channel = undefined
      if (signal.aborted) return
      log.warn({ graceSeconds: this.#opts.graceMs / 1000 }, 'lost the hub; reconnecting')
      stream = await this.#reconnect()
      log.info('reconnected to the hub')
    }
  }

  close (): void {
    this.#channel?.close()
  }

  /**
   * Opens the first session's sync stream, redialing a few times if the hub drops the connection
   * at once: a hub busy with many handshakes can do that, and it looks the same as refusing an
   * unknown peer.
   */
  async #openStream (): Promise<Stream> {
    const { node, hub, signal } = this.#opts
    for (let attempt = 1; ; attempt++) {
      try {
        return await openSyncStream(this.#connection!, SYNC_PROTOCOL, hub, signal)
      } catch (err) {
        if (!(err instanceof HubRefusedError) || attempt >= REFUSAL_ATTEMPTS) throw err
        log.debug({ attempt, err: err.message }, 'the hub closed the connection; trying again')
        await sleep(RECONNECT_MIN_MS * attempt, undefined, { signal })
        this.#connection = await dialHub(node, hub, signal, this.#dial)
      }
    }
  }

  /**
   * A new connection and sync stream within the grace period. A hub that had this client's session
   * and now closes its handshakes is taken as busy, not as refusing, until the grace period is
   * over: restarted with many clients, it closes the handshakes past its limits, which looks the
   * same as a refusal (design notes, issue 20).
   */
  async #reconnect (): Promise<Stream> {
    const { node, hub, signal, graceMs } = this.#opts
    const deadline = Date.now() + graceMs
    let wait = RECONNECT_MIN_MS
    let last: Error | undefined
    while (Date.now() < deadline) {
      // jittered: clients that lost the hub together do not all dial it in the same instant
      await sleep(Math.min(wait * (0.5 + Math.random()), Math.max(0, deadline - Date.now())), undefined, { signal })
      try {
        this.#connection = await dialHub(node, hub, signal, this.#dial)
        return await openSyncStream(this.#connection, SYNC_PROTOCOL, hub, signal)
      } catch (err) {
        if (!(err instanceof HubUnreachableError) && !(err instanceof HubRefusedError)) throw err
        last = err
      }
      wait = Math.min(wait * 2, RECONNECT_MAX_MS)
    }
    if (last instanceof HubRefusedError) throw last
    throw new HubLostError(`lost the hub for more than ${graceMs / 1000} s (${last?.message ?? 'no answer'})`)
  }
}

/** Resolves when libp2p reports the hub's connection gone (DESIGN.md, Liveness); `cancel` stops listening. */
function hubLost (node: Libp2p, hubPeer: string, connection: Connection, signal: AbortSignal): { promise: Promise<void>, cancel: () => void } {
  const lost = Promise.withResolvers<void>()
  const onDisconnect = (evt: CustomEvent): void => { if (String(evt.detail) === hubPeer) lost.resolve() }
  const cancel = (): void => {
    node.removeEventListener('peer:disconnect', onDisconnect)
    signal.removeEventListener('abort', cancel)
  }
  node.addEventListener('peer:disconnect', onDisconnect)
  signal.addEventListener('abort', cancel, { once: true })
  if (connection.status !== 'open') lost.resolve()
  return { promise: lost.promise, cancel }
}
