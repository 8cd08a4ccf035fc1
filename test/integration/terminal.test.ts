// On a terminal a client writes readable log lines and draws a progress bar while it receives a
// lot at once; elsewhere its logs stay JSON lines (issue 19 item 3). The terminal is script(1)'s.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CLI, cluster, converged, rm, startClient, tempDir, waitFor, clientReady } from './harness.ts'

const hasScript = spawnSync('script', ['--version']).status === 0

test('a client on a terminal: readable logs and a progress bar; JSON lines otherwise', { skip: hasScript ? false : 'script(1) (util-linux) is not installed' }, async () => {
  const c = await cluster(1)
  const [a] = c.dirs as [string]
  const b = await tempDir('tty')
  const typescriptDir = await tempDir('typescript')
  const typescript = join(typescriptDir, 'session')
  const plainDir = await tempDir('plain')
  // its own process group, ended as one: script and the client it runs
  const shell = spawn('script', ['-q', '-f', '-e', '-c', `${process.execPath} ${CLI} client --hub ${c.hub.addr} ${b}`, typescript], {
    stdio: 'ignore', detached: true, env: { ...process.env, DISTSYNC_LOG: 'info', DISTSYNC_LOG_FORMAT: '' }
  })
  const exited = new Promise(resolve => shell.on('exit', resolve))
  const plain = startClient(c.hub.addr, plainDir)
  try {
    await clientReady(plain)
    // 48 MiB in one file and 300 small ones: more than the bar's threshold
    await writeFile(join(a, 'big.bin'), randomBytes(48 * 1024 * 1024))
    for (let i = 0; i < 300; i++) await writeFile(join(a, `note-${i}.txt`), `note ${i}\n`)
    await converged([a, b], 120000)
    const screen = async (): Promise<string> => await readFile(typescript, 'utf8').catch(() => '')
    await waitFor('the bar to reach 100%', async () => /receiving \|[^|]*\| 100%/.test(await screen()), 30000)
    const text = (await screen()).replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, '')
    assert.match(text, /\d\d:\d\d:\d\d\] INFO: client: caught up with the hub/, 'a readable log line')
    assert.doesNotMatch(text, /\{"level":/, 'no JSON on the terminal')
    assert.match(text, /receiving \|[█░]+\| \d+% [\d.]+ (B|KiB|MiB)\/[\d.]+ MiB · \d+\/\d+ files/, 'a progress bar')
    // not a terminal: JSON lines, no bar
    assert.match(plain.stderr(), /^\{"level":30,.*"msg":"caught up with the hub"/m)
    assert.doesNotMatch(plain.stderr(), /receiving \|/)
  } finally {
    try { process.kill(-shell.pid!, 'SIGTERM') } catch {}
    await exited
    await plain.stop()
    await c.close()
    await Promise.all([b, plainDir, typescriptDir].map(async d => await rm(d, { recursive: true, force: true })))
  }
})
