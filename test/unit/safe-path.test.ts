// Path checks on names from the network or a directory walk: what is accepted, what is refused, and why.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { checkRelativePath, isReservedName, parentOf } from '../../src/fs/safe-path.ts'

const name255 = 'n'.repeat(255)
/** 4096 bytes exactly: 31 names of 127 bytes and one of 128, joined by 31 slashes. */
const path4096 = [...Array.from({ length: 31 }, () => 'p'.repeat(127)), 'q'.repeat(128)].join('/')

describe('checkRelativePath accepts', () => {
  test('(the long fixtures are the sizes they claim)', () => {
    assert.equal(Buffer.byteLength(name255), 255)
    assert.equal(Buffer.byteLength(path4096), 4096)
  })
  const accepted: Array<[string, string]> = [
    ['a plain name', 'report.txt'],
    ['a nested path', 'a/b/c.txt'],
    ['a dotfile', '.bashrc'],
    ['a name with spaces and unicode', 'Mes documents/été 2026.odt'],
    ['three dots (not a traversal)', '.../x'],
    ['a name starting with two dots', '..hidden'],
    ['".distsync" below the root', 'a/.distsync'],
    ['".distsync" below the root, with children', 'a/.distsync/x'],
    ['a name that only starts like the state dir', '.distsyncx'],
    ['a name that only starts like the state dir, nested', '.distsync.bak/file'],
    ['a name of exactly 255 bytes', name255],
    ['a path of exactly 4096 bytes', path4096],
    ['a name of 127 two-byte letters (254 bytes)', 'é'.repeat(127)]
  ]
  for (const [what, path] of accepted) {
    test(what, () => {
      assert.equal(checkRelativePath(path), path)
    })
  }
})

describe('checkRelativePath refuses', () => {
  const refused: Array<[string, string, string]> = [
    ['the empty path', '', 'ERR_EMPTY_PATH'],
    ['a NUL byte', 'a\0b', 'ERR_NUL_IN_PATH'],
    ['a NUL byte before a traversal', '../a\0', 'ERR_NUL_IN_PATH'],
    ['a backslash', 'a\\b', 'ERR_BACKSLASH_IN_PATH'],
    ['a Windows-style traversal', '..\\..\\etc\\passwd', 'ERR_BACKSLASH_IN_PATH'],
    ['an absolute path', '/etc/passwd', 'ERR_ABSOLUTE_PATH'],
    ['the root', '/', 'ERR_ABSOLUTE_PATH'],
    ['a double leading slash', '//server/share', 'ERR_ABSOLUTE_PATH'],
    ['"..", alone', '..', 'ERR_PATH_TRAVERSAL'],
    ['".." at the start', '../etc/passwd', 'ERR_PATH_TRAVERSAL'],
    ['".." in the middle', 'a/../../b', 'ERR_PATH_TRAVERSAL'],
    ['".." at the end', 'a/..', 'ERR_PATH_TRAVERSAL'],
    ['".", alone', '.', 'ERR_PATH_TRAVERSAL'],
    ['"." as a component', 'a/./b', 'ERR_PATH_TRAVERSAL'],
    ['"./" prefix', './a', 'ERR_PATH_TRAVERSAL'],
    ['an empty component', 'a//b', 'ERR_PATH_TRAVERSAL'],
    ['a trailing slash', 'a/', 'ERR_PATH_TRAVERSAL'],
    ['a name of 256 bytes', 'n'.repeat(256), 'ERR_NAME_TOO_LONG'],
    ['a nested name of 256 bytes', `dir/${'n'.repeat(256)}`, 'ERR_NAME_TOO_LONG'],
    ['a name of 128 two-byte letters (256 bytes)', 'é'.repeat(128), 'ERR_NAME_TOO_LONG'],
    ['a path of 4097 bytes', `${path4096}x`, 'ERR_PATH_TOO_LONG'],
    ['the state dir at the root', '.distsync', 'ERR_RESERVED_PATH'],
    ['a file in the state dir', '.distsync/x', 'ERR_RESERVED_PATH'],
    ['a deep file in the state dir', '.distsync/trash/a/b', 'ERR_RESERVED_PATH'],
    ['a temp file at the root', '.distsync-tmp-1', 'ERR_RESERVED_PATH'],
    ['a temp file below the root', 'a/.distsync-tmp-1', 'ERR_RESERVED_PATH'],
    ['a temp name as a directory', 'a/.distsync-tmp-x/b', 'ERR_RESERVED_PATH']
  ]
  for (const [what, path, code] of refused) {
    test(`${what} (${code})`, () => {
      assert.throws(() => checkRelativePath(path), (err: unknown) => {
        assert.ok(err instanceof Error)
        assert.equal(err.name, 'PathError')
        assert.equal((err as Error & { code: string }).code, code)
        return true
      })
    })
  }
})

describe('Unicode normalisation', () => {
  test('NFD input comes back in NFC', () => {
    const nfd = 'Cafe\u0301/re\u0301sume\u0301.txt'
    assert.equal(checkRelativePath(nfd), 'Caf\u00e9/r\u00e9sum\u00e9.txt')
  })

  test('NFC input comes back unchanged', () => {
    assert.equal(checkRelativePath('Caf\u00e9'), 'Caf\u00e9')
  })

  test('lengths are measured on the NFC form', () => {
    // 100 × "e + combining acute" is 300 bytes in NFD, 200 bytes as 100 × "é" in NFC
    const nfd = 'e\u0301'.repeat(100)
    assert.equal(Buffer.byteLength(nfd), 300)
    assert.equal(checkRelativePath(nfd), '\u00e9'.repeat(100))
  })
})

describe('properties', () => {
  const component = fc.oneof(
    fc.constantFrom('.', '..', '', 'a', 'b.txt', '.distsync', '.distsync-tmp-9', '...', 'é', 'e\u0301'),
    fc.string({ unit: 'grapheme', minLength: 0, maxLength: 6 })
  )
  const candidate = fc.oneof(
    fc.array(component, { minLength: 1, maxLength: 6 }).map(parts => parts.join('/')),
    fc.string({ unit: 'binary', maxLength: 30 })
  )

  test('an accepted path has no empty, "." or ".." component, is relative, NFC, and free of NUL and backslash', () => {
    fc.assert(fc.property(candidate, raw => {
      let path: string
      try {
        path = checkRelativePath(raw)
      } catch (err) {
        assert.equal((err as Error).name, 'PathError')
        return
      }
      assert.ok(!path.startsWith('/'))
      assert.equal(path, path.normalize('NFC'))
      assert.equal(path, raw.normalize('NFC'))
      assert.ok(!path.includes('\0') && !path.includes('\\'))
      const parts = path.split('/')
      assert.ok(parts.every(p => p !== '' && p !== '.' && p !== '..'), `bad component in ${JSON.stringify(path)}`)
      assert.ok(parts[0] !== '.distsync')
      assert.ok(parts.every(p => !p.startsWith('.distsync-tmp-')))
    }), { numRuns: 500 })
  })

  test('checking is idempotent: an accepted path is accepted again, unchanged', () => {
    fc.assert(fc.property(candidate, raw => {
      let path: string
      try {
        path = checkRelativePath(raw)
      } catch {
        return
      }
      assert.equal(checkRelativePath(path), path)
    }), { numRuns: 300 })
  })
})

describe('isReservedName and parentOf', () => {
  test('the state dir is reserved only at the root; temp names everywhere', () => {
    assert.equal(isReservedName('.distsync', true), true)
    assert.equal(isReservedName('.distsync', false), false)
    assert.equal(isReservedName('.distsync-tmp-abc', true), true)
    assert.equal(isReservedName('.distsync-tmp-abc', false), true)
    assert.equal(isReservedName('.distsyncx', true), false)
    assert.equal(isReservedName('distsync', true), false)
  })

  test('parentOf', () => {
    assert.equal(parentOf('a'), '')
    assert.equal(parentOf('a/b'), 'a')
    assert.equal(parentOf('a/b/c.txt'), 'a/b')
  })
})
