// What anyone who can reach the hub's port can send, with no key: idle sockets, garbage before
// the handshake, and real libp2p nodes that are not on the allowlist.
import { connect, type Socket } from 'node:net'
import { multiaddr } from '@multiformats/multiaddr'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createNode } from '../../src/net/node.ts'

/** Opens `n` sockets that send nothing; `close` ends those still open. */
export async function idleSockets (port: number, n: number): Promise<{ open: () => number, close: () => void }> {
  const sockets: Socket[] = []
  await Promise.all(Array.from({ length: n }, async () => await new Promise<void>(resolve => {
    const s = connect(port, '127.0.0.1', () => { resolve() })
    s.on('error', () => { resolve() })
    s.on('close', () => { resolve() })
    sockets.push(s)
  })))
  return {
    open: () => sockets.filter(s => !s.destroyed && s.readyState === 'open').length,
    close: () => { for (const s of sockets) s.destroy() }
  }
}

/**
 * `n` sockets at a time, each sending a length prefix that never ends (0xff bytes) as fast as
 * the hub reads, reopened as the hub closes them, until `ms` pass. Returns the sockets opened.
 */
export async function garbageSockets (port: number, n: number, ms: number): Promise<number> {
  const deadline = Date.now() + ms
  const garbage = Buffer.alloc(64 * 1024, 0xff)
  let opened = 0
  const one = async (): Promise<void> => {
    while (Date.now() < deadline) {
      opened++
      await new Promise<void>(resolve => {
        const s = connect(port, '127.0.0.1')
        const stop = setTimeout(() => { s.destroy() }, Math.max(0, deadline - Date.now()))
        const pump = (): void => { while (!s.destroyed && s.write(garbage)) { if (Date.now() > deadline) { s.destroy(); break } } }
        s.on('connect', pump)
        s.on('drain', pump)
        s.on('error', () => {})
        s.on('close', () => { clearTimeout(stop); resolve() })
      })
    }
  }
  await Promise.all(Array.from({ length: n }, one))
  return opened
}

/** `n` libp2p nodes with fresh keys dialing the hub; resolves with how many got a connection that stayed open. */
export async function strangers (hub: string, n: number): Promise<number> {
  let admitted = 0
  await Promise.all(Array.from({ length: n }, async () => {
    const node = await createNode({ privateKey: await generateKeyPair('Ed25519'), pingIntervalMs: 10_000 })
    await node.start()
    try {
      const conn = await node.dial(multiaddr(hub), { signal: AbortSignal.timeout(5000) })
      await new Promise(resolve => setTimeout(resolve, 300))
      if (conn.status === 'open') admitted++
    } catch {
      // refused: what a stranger should get
    } finally {
      await Promise.race([node.stop(), new Promise(resolve => setTimeout(resolve, 2000))])
    }
  }))
  return admitted
}
