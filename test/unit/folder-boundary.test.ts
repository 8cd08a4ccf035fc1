// The folder boundary's parent check: a symlink anywhere on the way is refused as such, a link
// that names itself included (it used to surface as ELOOP, taken for "the path went", and a
// remote change below it was dropped for good: fs-fuzz seed 160).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, mkdir, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { realpathSync } from 'node:fs'
import { parentsReal } from '../../src/fs/folder-boundary.ts'

test('a parent that is a link, a link to itself, a missing parent, real parents', async () => {
  const root = realpathSync(await mkdtemp(join(tmpdir(), 'distsync-boundary-')))
  try {
    await mkdir(join(root, 'real', 'dir'), { recursive: true })
    await symlink('real', join(root, 'link'))
    await symlink('loop', join(root, 'loop'))
    assert.equal(parentsReal(join(root, 'real', 'dir', 'f')), true)
    assert.equal(parentsReal(join(root, 'missing', 'f')), false)
    assert.throws(() => parentsReal(join(root, 'link', 'dir', 'f')), { code: 'ERR_SYMLINK_IN_PATH' })
    assert.throws(() => parentsReal(join(root, 'loop', 'a', 'f1')), { code: 'ERR_SYMLINK_IN_PATH' })
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})
