// A pre-shared key (libp2p pnet): with the hub's key a client syncs; with another key or none it
// exits 5 with one line naming the key, instead of hanging (issue 19 item 4).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { clientReady, converged, rm, run, startClient, startHub, tempDir } from './harness.ts'

async function newKey (dir: string, name: string): Promise<string> {
  const p = run(['psk'])
  assert.equal(await p.exited, 0)
  const file = join(dir, name)
  await writeFile(file, p.stdout(), { mode: 0o600 })
  return file
}

/** The reason a refused client gives: its last line on stderr. */
function reason (stderr: string): string {
  return stderr.split('\n').filter(l => l.startsWith('distsync: ') && !l.startsWith('distsync: client ')).join('\n')
}

test('psk: the right key syncs; a wrong key or none exits 5 with one clear line', async t => {
  const keys = await tempDir('keys')
  const right = await newKey(keys, 'swarm.key')
  const wrong = await newKey(keys, 'other.key')
  const hub = await startHub({ args: ['--allow-any', '--psk', right] })
  const dirs = await Promise.all([tempDir('psk-a'), tempDir('psk-b'), tempDir('psk-wrong'), tempDir('psk-none')])
  const a = startClient(hub.addr, dirs[0]!, ['--psk', right])
  const b = startClient(hub.addr, dirs[1]!, ['--psk', right])
  try {
    await Promise.all([clientReady(a), clientReady(b)])
    await writeFile(join(dirs[0]!, 'secret.txt'), 'only for the swarm\n')
    await converged([dirs[0]!, dirs[1]!])

    for (const [what, dir, extra] of [['a wrong key', dirs[2]!, ['--psk', wrong]], ['no key', dirs[3]!, []]] as const) {
      const started = Date.now()
      const c = startClient(hub.addr, dir, [...extra])
      // bounded by the harness's own timeout; the time taken is reported, not asserted
      assert.equal(await c.exited, 5, `${what}: ${c.stderr()}`)
      t.diagnostic(`${what}: exit 5 after ${Date.now() - started} ms`)
      const line = reason(c.stderr())
      assert.equal(line.split('\n').length, 1, line)
      assert.match(line, /pre-shared key \(--psk\)/)
    }
  } finally {
    await Promise.all([a.stop(), b.stop()])
    await hub.stop()
    await Promise.all([...dirs, keys, hub.dataDir].map(async d => await rm(d, { recursive: true, force: true })))
  }
})

test('psk: a client with a key and a hub without one do not talk', async () => {
  const keys = await tempDir('keys')
  const key = await newKey(keys, 'swarm.key')
  const hub = await startHub()
  const dir = await tempDir('psk-c')
  try {
    const c = startClient(hub.addr, dir, ['--psk', key])
    assert.equal(await c.exited, 5, c.stderr())
    assert.match(reason(c.stderr()), /--psk/)
  } finally {
    await hub.stop()
    await Promise.all([dir, keys, hub.dataDir].map(async d => await rm(d, { recursive: true, force: true })))
  }
})
