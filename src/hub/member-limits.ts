// What one member's proposals may make the hub hold: proposals in flight (in chunk-list bytes;
// past the budget the hub stops reading that member's sync stream), chunk fetches running at
// once, and how long a fetch may go without receiving anything. Keyed by peer ID, so that more
// connections or sessions of one member share its bounds.
import { PeerBudgets } from '../net/byte-budget.ts'
import { FETCHES_PER_MEMBER, FETCH_IDLE_TIMEOUT_MS, PROPOSAL_BYTES_PER_MEMBER } from '../net/limits.ts'
import type { Propose } from '../protocol/codec.ts'

/** The proposer sent none of the chunks asked for in FETCH_IDLE_TIMEOUT_MS. */
export class FetchIdleError extends Error {
  override name = 'FetchIdleError'
  readonly code = 'ERR_FETCH_IDLE'
}

export interface MemberLimitOptions { proposalBytes: number, fetches: number, fetchIdleMs: number }

/** Memory a proposal holds while in flight: its chunk list, attached chunks, and the rest. */
export function proposalBytes (p: Propose): number {
  return 1024 + p.entry.chunks.bytes.byteLength + p.blocks.reduce((n, b) => n + b.data.byteLength, 0)
}

export class MemberLimits {
  readonly #opts: MemberLimitOptions
  readonly #proposals: PeerBudgets
  readonly #fetches: PeerBudgets

  constructor (opts: MemberLimitOptions = { proposalBytes: PROPOSAL_BYTES_PER_MEMBER, fetches: FETCHES_PER_MEMBER, fetchIdleMs: FETCH_IDLE_TIMEOUT_MS }) {
    this.#opts = opts
    this.#proposals = new PeerBudgets(opts.proposalBytes)
    this.#fetches = new PeerBudgets(opts.fetches)
  }

  /**
   * Waits until the member's proposals in flight leave room for `bytes` more; the returned
   * function gives them back when the proposal is decided.
   */
  async admitProposal (peer: string, bytes: number, signal: AbortSignal): Promise<() => void> {
    const { budget, done } = this.#proposals.use(peer)
    try {
      const taken = await budget.take(bytes, signal)
      let given = false
      return () => {
        if (given) return
        given = true
        budget.give(taken)
        done()
      }
    } catch (err) {
      done()
      throw err
    }
  }

  /**
   * Runs a chunk fetch for the member once one of its fetch slots is free. `fn` gets a signal
   * that aborts with FetchIdleError when `progress` has not been called for the idle timeout.
   */
  async fetch<T> (peer: string, signal: AbortSignal, fn: (signal: AbortSignal, progress: () => void) => Promise<T>): Promise<T> {
    const { budget, done } = this.#fetches.use(peer)
    try {
      const taken = await budget.take(1, signal)
      const idle = new AbortController()
      const timer = setTimeout(() => { idle.abort(new FetchIdleError(`the proposer sent no chunk for ${this.#opts.fetchIdleMs / 1000} s`)) }, this.#opts.fetchIdleMs)
      try {
        return await fn(AbortSignal.any([signal, idle.signal]), () => { timer.refresh() })
      } catch (err) {
        // the fetch's own error names the abort; say why it was aborted
        if (idle.signal.aborted && !signal.aborted) throw idle.signal.reason as Error
        throw err
      } finally {
        clearTimeout(timer)
        budget.give(taken)
      }
    } finally {
      done()
    }
  }
}
