// Who is online and who holds what, in the hub's memory only (DESIGN.md "Holders"): a member
// holds a version once it proposed it or reported it applied; a member that goes is removed
// everywhere at once. Addresses are what the member announced: passed on to other members to
// dial (the dialer's gate and Noise check the peer ID), never used as an identity here.
import { MAX_MEMBERS } from '../protocol/constants.ts'
import type { Member } from '../protocol/codec.ts'

export class HolderBook {
  readonly #members = new Map<string, string[]>()
  /** seq -> members holding every chunk of that version */
  readonly #holders = new Map<number, Set<string>>()

  /** A member's session started (or it announced new addresses). */
  join (peer: string, addrs: string[]): void {
    this.#members.set(peer, addrs)
  }

  /** A member's session ended: the seqs whose holders changed. */
  leave (peer: string): number[] {
    this.#members.delete(peer)
    const changed: number[] = []
    for (const [seq, set] of this.#holders) {
      if (!set.delete(peer)) continue
      changed.push(seq)
      if (set.size === 0) this.#holders.delete(seq)
    }
    return changed
  }

  isOnline (peer: string): boolean { return this.#members.has(peer) }

  /** Members online. */
  get online (): number { return this.#members.size }

  members (): Member[] {
    return [...this.#members].map(([peer, addrs]) => ({ peer, addrs }))
  }

  /** True if `peer` was not listed yet. Only online members are listed. */
  add (seq: number, peer: string): boolean {
    if (!this.#members.has(peer)) return false
    let set = this.#holders.get(seq)
    if (set == null) this.#holders.set(seq, set = new Set())
    if (set.has(peer)) return false
    set.add(peer)
    return true
  }

  /** Holders of a version, the latest to arrive first (the one most likely idle). */
  holders (seq: number): string[] {
    return [...this.#holders.get(seq) ?? []].reverse()
  }

  /** The holders members are told of: the latest MAX_MEMBERS (a frame with more is refused by
   * every client, which would lose its session to each such frame; a few holders are plenty). */
  listed (seq: number): string[] {
    return this.holders(seq).slice(0, MAX_MEMBERS)
  }

  /** The version was replaced: nobody needs its holders any more. */
  forget (seq: number): void {
    this.#holders.delete(seq)
  }
}
