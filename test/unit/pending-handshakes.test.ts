// Issue 17 case 6 (the rule): handshakes pending per address, the oldest dropped for a newcomer.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { multiaddr } from '@multiformats/multiaddr'
import { PendingHandshakes } from '../../src/net/pending-handshakes.ts'
import type { MultiaddrConnection } from '@libp2p/interface'

function conn (host: string): MultiaddrConnection & { aborted: boolean, close: () => void } {
  const listeners: Array<() => void> = []
  const c = {
    remoteAddr: multiaddr(`/ip4/${host}/tcp/4001`),
    aborted: false,
    abort () { c.aborted = true; c.close() },
    addEventListener (_: string, fn: () => void) { listeners.push(fn) },
    close () { listeners.splice(0).forEach(fn => { fn() }) }
  }
  return c as unknown as MultiaddrConnection & { aborted: boolean, close: () => void }
}

test('past the limit the oldest of that address goes once past its grace; other addresses untouched', () => {
  let now = 0
  const p = new PendingHandshakes({ perAddress: 3, graceMs: 100, maxBytes: 1000 }, () => now)
  const idle = [conn('10.0.0.1'), conn('10.0.0.1'), conn('10.0.0.1')]
  for (const c of idle) assert.equal(p.admit(c), false)
  const other = conn('10.0.0.2')
  assert.equal(p.admit(other), false)
  assert.equal(p.admit(conn('10.0.0.1')), true, 'all young: the newcomer is refused')
  now = 200
  const honest = conn('10.0.0.1')
  assert.equal(p.admit(honest), false, 'the honest newcomer is admitted')
  assert.equal(idle[0]!.aborted, true, 'for the oldest idle one')
  assert.equal(other.aborted, false)
  assert.equal(p.count('10.0.0.1'), 3)
  p.done(honest)
  idle[1]!.close()
  assert.equal(p.count('10.0.0.1'), 1)
})

/** A connection whose socket can be fed bytes, as the byte count sees them. */
function counted (host: string): { c: MultiaddrConnection & { aborted: boolean }, feed: (n: number) => void } {
  const socket = new EventEmitter()
  const c = conn(host) as MultiaddrConnection & { aborted: boolean, socket: EventEmitter }
  c.socket = socket
  return { c, feed: n => { socket.emit('data', Buffer.alloc(n)) } }
}

test('bytes past the bound before the encryption is chosen abort the connection; after it they are not counted', () => {
  const p = new PendingHandshakes({ perAddress: 8, graceMs: 100, maxBytes: 1000 })
  const garbage = counted('10.0.0.1')
  p.admit(garbage.c)
  garbage.feed(600)
  assert.equal(garbage.c.aborted, false)
  garbage.feed(600)
  assert.equal(garbage.c.aborted, true, 'multistream-select is not fed past the bound')
  // an honest client: a few bytes of multistream-select, then Noise and the streams it opens at once
  const honest = counted('10.0.0.1')
  p.admit(honest.c)
  honest.feed(60)
  p.encrypting(honest.c)
  for (let i = 0; i < 64; i++) honest.feed(1024)
  assert.equal(honest.c.aborted, false)
  assert.equal(p.count('10.0.0.1'), 1, 'still a pending handshake until it is done')
  p.done(honest.c)
  assert.equal(p.count('10.0.0.1'), 0)
})
