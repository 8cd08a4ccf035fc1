// Started by a Node older than the program needs (the machine's own, say, rather than the one the
// project installs), the CLI says so in one line and exits 2, instead of a loader stack trace.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { CLI } from './harness.ts'

function olderNode (): string | undefined {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    const r = spawnSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' })
    if (r.status !== 0) continue
    const [major = 0, minor = 0] = r.stdout.trim().split('.').map(Number)
    if (major < 22 || (major === 22 && minor < 22)) return candidate
  }
  return undefined
}

test('a Node too old for distsync gets one line saying which Node to use, and exit 2', t => {
  const node = olderNode()
  if (node == null) {
    t.skip('no Node older than 22.22 on this machine')
    return
  }
  const r = spawnSync(node, [CLI, 'client', '--hub', '/ip4/127.0.0.1/tcp/1', '.'], { encoding: 'utf8', timeout: 30000 })
  assert.equal(r.status, 2, r.stderr)
  assert.match(r.stderr, /^distsync needs Node\.js 22\.22 or newer, and .* is v\d+\.\d+\.\d+: run it as npm run -s distsync -- <command>/)
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
})
