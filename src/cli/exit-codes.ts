// Exit codes are part of the interface: scripts and tests depend on them (issue 2).
import { DirGoneError } from '../client/dir-monitor.ts'
import { HubAddressError, HubLostError, HubRefusedError, HubUnreachableError } from '../client/hub-link.ts'
import { IdentityError } from '../net/identity.ts'
import { PskError } from '../net/psk.ts'
import { AlreadyRunningError } from '../client/status-socket.ts'
import { SyncTargetError } from '../client/client-service.ts'

export const EXIT = {
  signal: 0,
  failure: 1,
  usage: 2,
  hubUnreachable: 3,
  dirGone: 4,
  refused: 5
} as const

export class UsageError extends Error {
  override name = 'UsageError'
  readonly code = 'ERR_USAGE'
}

export function exitCodeOf (err: unknown): number {
  if (err instanceof UsageError || err instanceof HubAddressError || err instanceof IdentityError || err instanceof PskError || err instanceof AlreadyRunningError || err instanceof SyncTargetError) return EXIT.usage
  if (err instanceof HubUnreachableError || err instanceof HubLostError) return EXIT.hubUnreachable
  if (err instanceof DirGoneError) return EXIT.dirGone
  if (err instanceof HubRefusedError) return EXIT.refused
  return EXIT.failure
}
