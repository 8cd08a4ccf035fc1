// The journal's tree shape (issue 16): no live entry below a path the journal holds as a live
// file or symlink. A directory is an entry of its own; a live entry's parents need no entry (an
// old journal, or a parent proposed later), but none of them may be a file or a link. Pure: the
// journal is read through the two lookups given. Table-tested.
import type { Entry, EntryKind } from '../index/entry.ts'

/** Why a proposal was refused: the proposer proposes the parent first and tries again. */
export const PARENT_NOT_DIR = 'a parent of this path is a file or a link on the hub'
/** Why a proposal was refused: the proposer proposes what it deleted below first and tries again
 * (entries it has not heard of yet come to it meanwhile, and its directory comes back with them). */
export const LIVE_BELOW = 'the hub still holds entries below this path'
/** The refusals a proposer answers by trying again later (they never mean "never"). */
export const SHAPE_REFUSALS: ReadonlySet<string> = new Set([PARENT_NOT_DIR, LIVE_BELOW])

export type ShapeDecision =
  /** refused, nothing committed: the proposer clears the way and proposes again */
  | { action: 'refuse', reason: string }
  /** the hub's directory stays (someone else's entries are below it); the proposal as a conflict copy */
  | { action: 'supersede', copyProposal: boolean, reason: string }

export interface JournalShape {
  /** the live kind of a path in the journal, undefined if none or deleted */
  liveKind: (path: string) => EntryKind | undefined
  /** whether the journal holds any live entry below `dir` */
  liveBelow: (dir: string) => boolean
}

/** undefined: the proposal keeps the tree's shape; decideProposal decides the rest. */
export function decideShape (proposal: Entry, current: Entry | undefined, journal: JournalShape, copies: boolean): ShapeDecision | undefined {
  if (proposal.deleted) {
    // the proposer deletes what it holds below first: what is still here it has not heard of
    // (added meanwhile), and deleting the directory over it would leave it below a deletion
    return proposal.kind === 'dir' && journal.liveBelow(proposal.path) ? { action: 'refuse', reason: LIVE_BELOW } : undefined
  }
  // nearest parent first: one that is a live directory had no file above it when it came, and
  // none could become a file since (it lived below), so one lookup is the usual cost
  for (let i = proposal.path.lastIndexOf('/'); i > 0; i = proposal.path.lastIndexOf('/', i - 1)) {
    const kind = journal.liveKind(proposal.path.slice(0, i))
    if (kind === 'dir') break
    if (kind === 'file' || kind === 'symlink') return { action: 'refuse', reason: PARENT_NOT_DIR }
  }
  if (proposal.kind === 'dir' || !journal.liveBelow(proposal.path)) return undefined
  // a file or link where entries live below: the proposer deletes them first (its own), so
  // those still here are ones it did not know of, and a directory the hub holds keeps them
  if (current != null && !current.deleted && current.kind === 'dir') {
    return { action: 'supersede', copyProposal: copies && proposal.kind === 'file', reason: 'entries the proposer did not know of are in that directory' }
  }
  return { action: 'refuse', reason: LIVE_BELOW }
}
