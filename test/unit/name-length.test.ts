// Issue 16.4: names distsync makes from a user's name (trash, conflict copies) stay within 255 bytes.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { cutToBytes } from '../../src/fs/safe-path.ts'
import { trashName } from '../../src/fs/trash.ts'
import { conflictCopyPath } from '../../src/reconcile/conflict-name.ts'

const name255 = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 255 }).map(s => cutToBytes(s.replaceAll('/', '_'), 255)).filter(s => s.length > 0)
const bytes = (s: string): number => Buffer.byteLength(s)
const last = (p: string): string => p.slice(p.lastIndexOf('/') + 1)

describe('names within NAME_MAX', () => {
  it('cutToBytes cuts between characters', () => {
    assert.equal(cutToBytes('abc', 2), 'ab')
    assert.equal(cutToBytes('éé', 3), 'é')
    assert.equal(cutToBytes('😀x', 3), '')
    assert.equal(cutToBytes('short', 255), 'short')
  })
  it('a trash name of any name up to 255 bytes is at most 255 bytes', () => {
    fc.assert(fc.property(name255, name => bytes(last(trashName(`dir/${name}`))) <= 255))
  })
  it('a conflict copy of any name up to 255 bytes is at most 255 bytes and keeps its tag', () => {
    fc.assert(fc.property(name255, fc.integer({ min: 1, max: 1000 }), (name, n) => {
      const copy = last(conflictCopyPath(`d/${name}`, 1_700_000_000_000_000_000n, '12D3KooWabcdefgh', n))
      return bytes(copy) <= 255 && copy.includes('.sync-conflict-')
    }))
  })
  it('short names keep their conflict-copy spelling', () => {
    assert.equal(conflictCopyPath('a/b.txt', 0n, '12D3KooWabcdefgh'), 'a/b.sync-conflict-19700101-000000-abcdefgh.txt')
  })
})
