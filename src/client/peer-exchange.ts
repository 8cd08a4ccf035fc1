// Peer exchange: the folder's other members as the hub lists them, direct connections to them,
// and who may connect to this client (DESIGN.md "Members and direct connections"). The gate
// admits the hub and the listed members only; a member is dialed only to fetch chunks, with a
// short timeout, and a failed dial is remembered for a while so that a member behind NAT costs
// one timeout, not one per file. Changes of members or holders wake the changes waiting for one.
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Libp2p } from 'libp2p'
import type { Connection } from '@libp2p/interface'
import type { HolderList, MembersUpdate } from '../protocol/codec.ts'
import type { FetchSource } from '../net/multi-fetch.ts'
import { logger } from '../logger.ts'

const log = logger('client')

/** A member on the same LAN answers in milliseconds; one that does not in this time is taken as unreachable. */
const DIAL_TIMEOUT_MS = 2000
/** How long a member that could not be dialed is not tried again (unless the hub lists it anew). */
const FAILURE_MEMORY_MS = 60_000
export const HUB_SOURCE = 'hub'
/** A receiver before this one in the chain answers within its wait for a chunk it is writing
 * (files-in-progress.ts, 3 s) or says "missing": one silent this long is given up, so that a
 * member cannot stall those after it. */
const CHAIN_IDLE_MS = 10_000

export interface PeerExchangeOptions {
  node: Libp2p
  self: string
  hubPeer: string
  /** the gate's list, shared with the node's connection gater: the hub plus members */
  allowed: Set<string>
  /** false (--no-direct): no member is dialed */
  direct: boolean
  hubConnection: () => Connection | undefined
}

export class PeerExchange {
  readonly #opts: PeerExchangeOptions
  readonly #members = new Map<string, Multiaddr[]>()
  readonly #failedAt = new Map<string, number>()
  readonly #waiters = new Set<() => void>()

  constructor (opts: PeerExchangeOptions) {
    this.#opts = opts
    opts.allowed.add(opts.hubPeer)
  }

  /** The hub's news of the online members (a session's first resets the list): the gate admits
   * exactly these (and the hub). */
  updateMembers (update: MembersUpdate): void {
    const { allowed, self, hubPeer } = this.#opts
    const joined = new Map<string, Multiaddr[]>()
    for (const m of update.joined) {
      if (m.peer === self || m.peer === hubPeer) continue
      try {
        peerIdFromString(m.peer)
      } catch {
        continue
      }
      joined.set(m.peer, m.addrs.flatMap(a => withPeer(a, m.peer)))
    }
    const gone = update.reset ? [...this.#members.keys()] : update.left.filter(p => this.#members.has(p))
    for (const peer of gone) {
      if (joined.has(peer)) continue
      this.#members.delete(peer)
      allowed.delete(peer)
      // a member that left is not kept connected
      void this.#opts.node.hangUp(peerIdFromString(peer)).catch(() => {})
    }
    for (const [peer, addrs] of joined) {
      // listed anew (it may have come back with a new address): worth a dial again
      if (!this.#members.has(peer)) this.#failedAt.delete(peer)
      allowed.add(peer)
      this.#members.set(peer, addrs)
    }
    this.#wakeAll()
  }

  /** Holders or members changed: work that found no source tries again. */
  holdersChanged (): void {
    this.#wakeAll()
  }

  /** Resolves on the next members or holders change (or when `signal` aborts). */
  async changed (signal: AbortSignal): Promise<void> {
    await new Promise<void>(resolve => {
      const done = (): void => {
        this.#waiters.delete(done)
        signal.removeEventListener('abort', done)
        resolve()
      }
      this.#waiters.add(done)
      signal.addEventListener('abort', done, { once: true })
    })
  }

  /**
   * Where the chunks of a version may be fetched: members holding it that can be dialed, the hub
   * only as fallback then (its link is the one every member shares; it holds the version or is
   * getting it); the hub alone when no member can be dialed.
   */
  sources (holders: HolderList): FetchSource[] {
    const out: FetchSource[] = []
    if (this.#opts.direct) {
      const before = this.#receiverBefore(holders)
      if (before != null) out.push({ ...this.#member(before, 0), idleMs: CHAIN_IDLE_MS })
      for (const peer of holders.peers) {
        if (this.#dialable(peer)) out.push(this.#member(peer, before == null ? 0 : 1))
      }
    }
    out.push({ id: HUB_SOURCE, tier: out.length === 0 ? 0 : 1, connect: async () => await this.#hub() })
    return out
  }

  /**
   * Receivers of one version pass it along a chain (each link carries it once, as the version's
   * proposer cannot upload it to every receiver at once): the online members not holding it, in
   * peer ID order; the first fetches from the holders, each other one from the receiver before
   * it, which serves chunks as it writes them (files-in-progress.ts). One that lags or fails
   * answers "missing" and the rest comes from the holders.
   */
  #receiverBefore (holders: HolderList): string | undefined {
    const { self } = this.#opts
    const receivers = [self, ...this.#members.keys()].filter(p => !holders.peers.includes(p)).sort()
    const k = receivers.indexOf(self)
    const before = k > 0 ? receivers[k - 1] : undefined
    return before != null && this.#dialable(before) ? before : undefined
  }

  #member (peer: string, tier: 0 | 1): FetchSource {
    return { id: peer, tier, connect: async signal => await this.#connect(peer, signal) }
  }

  /** A holder sent wrong bytes or broke off: not asked again for a while. */
  sourceFailed (peer: string, err: Error): void {
    if (peer === HUB_SOURCE) return
    log.info({ peer, err: err.message }, 'a member could not serve chunks; using others')
    this.#failedAt.set(peer, Date.now())
  }

  #dialable (peer: string): boolean {
    if (peer === this.#opts.self || (this.#members.get(peer)?.length ?? 0) === 0) return false
    const failed = this.#failedAt.get(peer)
    return failed == null || Date.now() - failed > FAILURE_MEMORY_MS
  }

  async #connect (peer: string, signal: AbortSignal): Promise<Connection> {
    const id = peerIdFromString(peer)
    const open = this.#opts.node.getConnections(id).find(c => c.status === 'open')
    if (open != null) return open
    try {
      return await this.#opts.node.dial(this.#members.get(peer) ?? [], { signal: AbortSignal.any([signal, AbortSignal.timeout(DIAL_TIMEOUT_MS)]) })
    } catch (err) {
      if (!signal.aborted) {
        this.#failedAt.set(peer, Date.now())
        log.info({ peer, err: (err as Error).message }, 'cannot reach a member directly; fetching through the hub')
      }
      throw err
    }
  }

  async #hub (): Promise<Connection> {
    const c = this.#opts.hubConnection()
    if (c == null || c.status !== 'open') throw new Error('not connected to the hub')
    return c
  }

  #wakeAll (): void {
    for (const w of [...this.#waiters]) w()
  }
}

/** The address as dialable for that peer: ends in its /p2p/ ID (another ID: not that peer's address). */
function withPeer (text: string, peer: string): Multiaddr[] {
  try {
    const ma = multiaddr(text)
    const named = ma.getComponents().findLast(c => c.name === 'p2p')?.value
    if (named != null) return named === peer ? [ma] : []
    return [multiaddr(`${text}/p2p/${peer}`)]
  } catch {
    return []
  }
}
