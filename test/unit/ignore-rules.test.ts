// .distsyncignore decisions: gitignore syntax, directories with a trailing slash, the rules file
// itself always synced.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { IgnoreRules, IGNORE_FILE, type PathKind } from '../../src/fs/ignore-rules.ts'

const RULES = [
  '# editors and builds',
  'node_modules/',
  '*.swp',
  '*~',
  '/build/',
  '*.log',
  '!keep.log',
  'cache/**/*.tmp',
  '.git/objects/**/*.lock',
  '*'.repeat(0) // an empty line is no rule
].join('\n')

describe('IgnoreRules.ignores', () => {
  const rules = IgnoreRules.fromText(RULES)
  const table: Array<[string, string, PathKind, boolean]> = [
    ['a directory pattern ignores the directory', 'node_modules', 'dir', true],
    ['...and what is inside it, at any depth', 'web/node_modules/react/index.js', 'file', true],
    ['...but not a file of that name', 'node_modules', 'file', false],
    ['a glob matches in any folder', 'src/.main.ts.swp', 'file', true],
    ['a backup suffix', 'notes.txt~', 'file', true],
    ['an anchored directory at the root', 'build', 'dir', true],
    ['...and its contents', 'build/out/app.js', 'file', true],
    ['an anchored pattern does not match deeper', 'src/build', 'dir', false],
    ['a negation re-includes a file', 'keep.log', 'file', false],
    ['the negated glob still ignores others', 'logs/app.log', 'file', true],
    ['** spans folders', 'cache/a/b/c.tmp', 'file', true],
    ['** needs its prefix', 'other/a/c.tmp', 'file', false],
    ['git lock files', '.git/objects/ab/cdef.lock', 'file', true],
    ['git objects themselves are not', '.git/objects/ab/cdef', 'file', false],
    ['an ordinary file', 'docs/report.txt', 'file', false],
    ['an ordinary folder', 'docs', 'dir', false],
    ['a symlink is judged by its name', 'link.swp', 'symlink', true],
    ['a comment is no rule', '# editors and builds', 'file', false]
  ]
  for (const [what, path, kind, ignored] of table) {
    test(`${what}: ${path} (${kind}) -> ${ignored ? 'ignored' : 'synced'}`, () => {
      assert.equal(rules.ignores(path, kind), ignored)
    })
  }
})

describe('the rules file and edge cases', () => {
  test('the rules file is synced even when a rule names it or everything', () => {
    for (const text of ['*', '.*', IGNORE_FILE, `/${IGNORE_FILE}`]) {
      assert.equal(IgnoreRules.fromText(text).ignores(IGNORE_FILE, 'file'), false, text)
    }
    // a file of that name below the root is an ordinary file
    assert.equal(IgnoreRules.fromText('*').ignores(`sub/${IGNORE_FILE}`, 'file'), true)
  })
  test('no file, an empty file: nothing is ignored', () => {
    for (const rules of [IgnoreRules.fromText(undefined), IgnoreRules.fromText(''), IgnoreRules.none]) {
      assert.equal(rules.ignores('a/b.swp', 'file'), false)
    }
  })
  test('equal text, equal rules', () => {
    assert.ok(IgnoreRules.fromText('*.swp\n').equals(IgnoreRules.fromText('*.swp\n')))
    assert.ok(!IgnoreRules.fromText('*.swp\n').equals(IgnoreRules.fromText('*.tmp\n')))
  })
  test('CRLF line ends (a file written on Windows) work', () => {
    assert.equal(IgnoreRules.fromText('*.swp\r\nbuild/\r\n').ignores('build', 'dir'), true)
  })
})

test('answers stay the same across the matcher renewals that bound its cache (25,000 paths)', () => {
  const rules = IgnoreRules.fromText(RULES)
  for (let i = 0; i < 25_000; i++) {
    const path = `d${i % 97}/${i % 5 === 0 ? 'node_modules/x' : `f${i}`}${i % 7 === 0 ? '.log' : '.txt'}`
    const fresh = IgnoreRules.fromText(RULES)
    assert.equal(rules.ignores(path, 'file'), fresh.ignores(path, 'file'), path)
  }
})

test('no rules (no file, blank lines, comments): nothing is ignored', () => {
  for (const text of [undefined, '', '\n\n', '# only a comment\n']) {
    const rules = IgnoreRules.fromText(text)
    assert.equal(rules.ignores('a/b.log', 'file'), false)
    assert.equal(rules.ignores('node_modules', 'dir'), false)
  }
})
