// Who may sync which folder. Pure: the hub's gate and its Hello handling both ask here.
// A peer admitted "everywhere" (--allow, hub.allow) may use any folder, creating it on first
// use; a peer named under hub.folders.NAME.allow may use that folder only.

export interface Membership {
  /** admit every peer to every folder (--allow-any) */
  any: boolean
  /** peers admitted to every folder */
  everywhere: ReadonlySet<string>
  /** folder -> peers admitted to it alone */
  folders: ReadonlyMap<string, ReadonlySet<string>>
}

/** Whether the peer may connect at all: it is a member of something. */
export function admitsPeer (m: Membership, peer: string): boolean {
  if (m.any || m.everywhere.has(peer)) return true
  for (const members of m.folders.values()) if (members.has(peer)) return true
  return false
}

export function admitsToFolder (m: Membership, peer: string, folder: string): boolean {
  return m.any || m.everywhere.has(peer) || (m.folders.get(folder)?.has(peer) ?? false)
}

/** Every peer that may connect, for the connection gate; undefined when anyone may. */
export function gateList (m: Membership): Set<string> | undefined {
  if (m.any) return undefined
  const all = new Set(m.everywhere)
  for (const members of m.folders.values()) for (const p of members) all.add(p)
  return all
}
