import { test } from 'node:test'
import assert from 'node:assert/strict'
import { lstatSync } from 'node:fs'
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inlineLstat } from '../../src/fs/inline-lstat.ts'

inlineLstat()
// what chokidar and readdirp see: the module's named export, read after the swap
const { lstat } = await import('node:fs/promises')

test('lstat from fs/promises answers without a trip through the thread pool', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'inline-lstat-'))
  try {
    await writeFile(join(dir, 'f'), 'x')
    // a pool answer arrives in a later poll phase; an inline one before the next immediate
    for (let i = 0; i < 50; i++) {
      let immediateRan = false
      setImmediate(() => { immediateRan = true })
      await lstat(join(dir, 'f'))
      assert.equal(immediateRan, false, `call ${i} waited for the event loop`)
      await new Promise(resolve => setImmediate(resolve))
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('it answers as the pool version does: same stats, symlinks not followed, bigint, ENOENT as a rejection', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'inline-lstat-'))
  try {
    await writeFile(join(dir, 'f'), 'hello')
    await symlink('f', join(dir, 'link'))
    const st = await lstat(join(dir, 'f'))
    assert.equal(st.size, 5)
    assert.equal(st.ino, lstatSync(join(dir, 'f')).ino)
    assert.ok((await lstat(join(dir, 'link'))).isSymbolicLink())
    const big = await lstat(join(dir, 'f'), { bigint: true })
    assert.equal(big.size, 5n)
    await assert.rejects(lstat(join(dir, 'missing')), (err: NodeJS.ErrnoException) => err.code === 'ENOENT' && err.path === join(dir, 'missing'))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
