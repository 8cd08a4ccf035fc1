// The hub's decision on a proposal: the one place where concurrent changes are ordered.
// Pure: (current journal state of the path, proposal) -> decision. Table-tested.
import { sameContent, type Entry, type JournalEntry } from '../index/entry.ts'

export type ConflictMode = 'copy' | 'lww'

export type HubDecision =
  /** the proposal describes what the hub already holds: nothing to commit */
  | { action: 'same', seq: number }
  /** commit the proposal; when `copyCurrent`, first keep the replaced content as a conflict copy */
  | { action: 'accept', copyCurrent: boolean }
  /** the hub's content stays; when `copyProposal`, the proposal is kept as a conflict copy */
  | { action: 'supersede', copyProposal: boolean, reason: string }

/** true when a's content beats b's: newer mtime, ties to the larger content hash. */
export function wins (a: Entry, b: Entry): boolean {
  if (a.mtimeNs !== b.mtimeNs) return a.mtimeNs > b.mtimeNs
  const byHash = Buffer.compare(a.hash, b.hash)
  if (byHash !== 0) return byHash > 0
  // same mtime and hash: a deterministic order on what is left
  return a.target > b.target || (a.target === b.target && a.exec && !b.exec)
}

/**
 * `current.origin` and `proposer` (peer IDs), when given, let a member replace its own latest
 * version without a conflict: a client that lost the hub before hearing its proposal's seq
 * proposes its next version on the base it knew, and its own file is newer than both.
 */
export function decideProposal (current: (JournalEntry & { origin?: string }) | undefined, proposal: Entry, baseSeq: number, mode: ConflictMode, proposer?: string): HubDecision {
  if (current == null) {
    return proposal.deleted ? { action: 'same', seq: 0 } : { action: 'accept', copyCurrent: false }
  }
  const cur = current.entry
  if (sameContent(cur, proposal)) {
    // a metadata-only difference (mtime) on the base version is still a change worth recording
    const mtimeOnly = !cur.deleted && cur.kind === 'file' && cur.mtimeNs !== proposal.mtimeNs && baseSeq === current.seq
    return mtimeOnly ? { action: 'accept', copyCurrent: false } : { action: 'same', seq: current.seq }
  }
  if (baseSeq === current.seq) return { action: 'accept', copyCurrent: false }
  if (proposer != null && current.origin === proposer && baseSeq < current.seq) return { action: 'accept', copyCurrent: false }

  // A conflict: the proposer did not know the hub's current version.
  const copies = mode === 'copy'
  if (cur.deleted) return { action: 'accept', copyCurrent: false }
  if (proposal.deleted) return { action: 'supersede', copyProposal: false, reason: 'a modification beats a concurrent deletion' }
  // A directory holds other entries; replacing it by a file would orphan them. The directory stays.
  if (cur.kind === 'dir') return { action: 'supersede', copyProposal: copies && proposal.kind === 'file', reason: 'a directory already exists at that path' }
  if (proposal.kind === 'dir') return { action: 'accept', copyCurrent: copies && cur.kind === 'file' }
  if (wins(proposal, cur)) return { action: 'accept', copyCurrent: copies && cur.kind === 'file' }
  return { action: 'supersede', copyProposal: copies && proposal.kind === 'file', reason: 'the hub holds a more recently modified version' }
}

