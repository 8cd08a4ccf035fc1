// What `distsync --version` prints: the package's version and the sync protocol it speaks
// (hub and clients must speak the same one).
import { readFileSync } from 'node:fs'
import { SYNC_PROTOCOL } from '../protocol/constants.ts'

const PACKAGE = new URL('../../../package.json', import.meta.url)

export function distsyncVersion (): string {
  const pkg = JSON.parse(readFileSync(PACKAGE, 'utf8')) as { version?: unknown }
  return `distsync ${typeof pkg.version === 'string' ? pkg.version : 'unknown'} (${SYNC_PROTOCOL})`
}
