// The README's first command must keep working: the demo shows a round trip and exits cleanly.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

test('npm run demo: a hub and two clients sync a file each way', async () => {
  const demo = fileURLToPath(new URL('../../scripts/demo.js', import.meta.url))
  const child = spawn(process.execPath, [demo, '--once'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr.on('data', (d: Buffer) => { err += d.toString() })
  const timer = setTimeout(() => child.kill('SIGKILL'), 60000)
  const code = await new Promise<number | null>(resolve => child.on('exit', resolve))
  clearTimeout(timer)
  assert.equal(code, 0, err)
  assert.match(out, /alice\/hello.txt appeared in bob after \d+ ms/)
  assert.match(out, /bob\/reply.txt appeared in alice/)
})
