// What a folder's sessions are told of its online members (DESIGN.md "Members and direct
// connections"): the whole list once, when a session starts, then only who joined and who left,
// gathered for a moment so that a crowd joining at once goes out in a few frames. The whole list
// on every join cost members² bytes a join (design notes, issue 20).
import { MAX_MEMBERS } from '../protocol/constants.ts'
import type { Member, MembersUpdate } from '../protocol/codec.ts'

/** How long joins and leaves are gathered before they are sent: a member learns of another this
 * much later (it fetches through the hub meanwhile). Each batch is a write to every member, so
 * the wait grows with them: news then costs the hub a bounded share of a core however many come
 * and go (design notes, issue 20). */
export const MEMBER_NEWS_MIN_DELAY_MS = 250
export const MEMBER_NEWS_DELAY_MS_PER_MEMBER = 1

/** The wait before news goes out to `members` members. */
export function memberNewsDelay (members: number): number {
  return Math.max(MEMBER_NEWS_MIN_DELAY_MS, members * MEMBER_NEWS_DELAY_MS_PER_MEMBER)
}

/** The whole list for a session that starts: its first frame resets what the client knew. */
export function membersSnapshot (members: Member[]): MembersUpdate[] {
  const frames: MembersUpdate[] = []
  for (let i = 0; i === 0 || i < members.length; i += MAX_MEMBERS) {
    frames.push({ reset: i === 0, joined: members.slice(i, i + MAX_MEMBERS), left: [] })
  }
  return frames
}

/** Joins and leaves of one folder, sent to its sessions a moment after the first; a peer's last one counts. */
export class MemberNews {
  /** peer -> its addresses if it is online now, null if it left */
  readonly #news = new Map<string, string[] | null>()
  readonly #send: (updates: MembersUpdate[]) => void
  readonly #delayMs: () => number
  #timer: NodeJS.Timeout | undefined

  /** `delayMs`: asked when a batch starts (memberNewsDelay of the members online) */
  constructor (send: (updates: MembersUpdate[]) => void, delayMs: () => number) {
    this.#send = send
    this.#delayMs = delayMs
  }

  joined (peer: string, addrs: string[]): void {
    this.#news.set(peer, addrs)
    this.#schedule()
  }

  left (peer: string): void {
    this.#news.set(peer, null)
    this.#schedule()
  }

  /** Sends what is gathered now, in frames of at most MAX_MEMBERS peers each. */
  flush (): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    if (this.#news.size === 0) return
    const frames: MembersUpdate[] = []
    let frame: MembersUpdate | undefined
    for (const [peer, addrs] of this.#news) {
      if (frame == null || frame.joined.length + frame.left.length === MAX_MEMBERS) frames.push(frame = { reset: false, joined: [], left: [] })
      if (addrs == null) frame.left.push(peer)
      else frame.joined.push({ peer, addrs })
    }
    this.#news.clear()
    this.#send(frames)
  }

  close (): void {
    clearTimeout(this.#timer)
    this.#news.clear()
  }

  #schedule (): void {
    this.#timer ??= setTimeout(() => { this.flush() }, this.#delayMs()).unref()
  }
}
