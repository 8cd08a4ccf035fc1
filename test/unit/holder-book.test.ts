import { test } from 'node:test'
import assert from 'node:assert/strict'
import { HolderBook } from '../../src/hub/holder-book.ts'
import { MAX_MEMBERS } from '../../src/protocol/constants.ts'
import { decodeHubMessage, encodeHubMessage } from '../../src/protocol/codec.ts'

test('members are told of the latest MAX_MEMBERS holders of a version, a list every client accepts', () => {
  const book = new HolderBook()
  const peers = Array.from({ length: MAX_MEMBERS + 100 }, (_, i) => `12D3KooWPeer${i}`)
  for (const p of peers) {
    book.join(p, [])
    book.add(7, p)
  }
  assert.equal(book.holders(7).length, peers.length)
  const listed = book.listed(7)
  assert.deepEqual(listed, peers.slice(-MAX_MEMBERS).reverse())
  const msg = decodeHubMessage(encodeHubMessage({ type: 'holders', seq: 7, holders: { peers: listed, held: false } }))
  assert.equal(msg.type === 'holders' ? msg.holders.peers.length : 0, MAX_MEMBERS)
  assert.throws(() => decodeHubMessage(encodeHubMessage({ type: 'holders', seq: 7, holders: { peers: book.holders(7), held: false } })), { name: 'ProtocolError' })
})
