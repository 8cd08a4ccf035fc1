// Whether anything accepts a TCP connection at a multiaddr's host and port: tells a hub that
// stalls a handshake (a different pre-shared key) from a hub that is not there.
import { connect } from 'node:net'
import type { Multiaddr } from '@multiformats/multiaddr'

const HOST_PROTOCOLS = new Set(['ip4', 'ip6', 'dns', 'dns4', 'dns6'])

export async function tcpAnswers (addr: Multiaddr, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const parts = addr.getComponents()
  const host = parts.find(c => HOST_PROTOCOLS.has(c.name))?.value
  const port = Number(parts.find(c => c.name === 'tcp')?.value)
  if (host == null || !Number.isInteger(port)) return false
  return await new Promise(resolve => {
    const socket = connect({ host, port, timeout: timeoutMs, ...(signal != null ? { signal } : {}) })
    const done = (ok: boolean): void => { socket.destroy(); resolve(ok) }
    socket.once('connect', () => { done(true) })
    socket.once('timeout', () => { done(false) })
    socket.once('error', () => { done(false) })
  })
}
