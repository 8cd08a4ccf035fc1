import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { admitsPeer, admitsToFolder, gateList, type Membership } from '../../src/hub/membership.ts'
import { checkFolderName, isFolderName } from '../../src/protocol/folder-name.ts'

const m: Membership = {
  any: false,
  everywhere: new Set(['all']),
  folders: new Map([['docs', new Set(['docsOnly'])], ['photos', new Set(['photosOnly', 'docsOnly2'])]])
}

test('who may sync which folder', () => {
  const cases: Array<[string, string, boolean]> = [
    ['all', 'docs', true],
    ['all', 'anything-new', true],
    ['docsOnly', 'docs', true],
    ['docsOnly', 'photos', false],
    ['docsOnly', 'default', false],
    ['docsOnly', 'nosuch', false],
    ['photosOnly', 'photos', true],
    ['stranger', 'docs', false],
    ['stranger', 'default', false]
  ]
  for (const [peer, folder, want] of cases) assert.equal(admitsToFolder(m, peer, folder), want, `${peer} in ${folder}`)
  assert.equal(admitsToFolder({ ...m, any: true }, 'stranger', 'nosuch'), true)
})

test('the gate admits exactly the peers that are members of something', () => {
  assert.deepEqual([...gateList(m)!].sort(), ['all', 'docsOnly', 'docsOnly2', 'photosOnly'])
  assert.equal(gateList({ ...m, any: true }), undefined)
  fc.assert(fc.property(fc.string(), peer => admitsPeer(m, peer) === gateList(m)!.has(peer)))
  // a gate member is admitted to at least one folder, and nobody else to any
  fc.assert(fc.property(fc.constantFrom('all', 'docsOnly', 'photosOnly', 'docsOnly2', 'x'), fc.constantFrom('docs', 'photos', 'default', 'y'), (peer, folder) =>
    !admitsToFolder(m, peer, folder) || admitsPeer(m, peer)))
})

test('folder names are path-safe', () => {
  for (const ok of ['default', 'Photos', 'a', 'my.folder_2-x', 'A'.repeat(64)]) assert.equal(isFolderName(ok), true, ok)
  for (const bad of ['', '.', '..', '../x', 'a/b', '-x', '.hidden', 'a b', 'é', 'A'.repeat(65), 'a\0b']) {
    assert.equal(isFolderName(bad), false, JSON.stringify(bad))
    assert.throws(() => checkFolderName(bad), { name: 'ProtocolError', code: 'ERR_BAD_FOLDER' })
  }
})
