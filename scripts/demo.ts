// `npm run demo`: a hub and two clients on this machine, on embedded defaults, syncing two
// folders. Runs until Ctrl-C; `--once` shows one round trip and exits (the test suite uses it).
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, writeFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url))
const once = process.argv.includes('--once')
const children: ChildProcess[] = []

function start (args: string[]): { child: ChildProcess, out: () => string, err: () => string } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  let out = ''
  let err = ''
  child.stdout!.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr!.on('data', (d: Buffer) => { err += d.toString() })
  child.on('exit', code => {
    if (code !== 0 && code !== null && !stopping) {
      process.stderr.write(`demo: distsync ${args[0]} exited ${code}\n${err.split('\n').filter(l => l.startsWith('distsync:')).join('\n')}\n`)
      void stop(1)
    }
  })
  return { child, out: () => out, err: () => err }
}

async function until (what: string, fn: () => boolean | Promise<boolean>, ms = 20000): Promise<void> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await fn()) return
    await sleep(20)
  }
  throw new Error(`demo: timed out waiting for ${what}`)
}

async function peerId (identity: string): Promise<string> {
  const p = start(['id', '--identity', identity])
  await new Promise(resolve => p.child.on('exit', resolve))
  return p.out().trim()
}

let stopping = false
let base = ''
async function stop (code: number): Promise<void> {
  if (stopping) return
  stopping = true
  for (const c of children) c.kill('SIGTERM')
  await Promise.all(children.map(async c => { if (c.exitCode == null) await new Promise(resolve => c.on('exit', resolve)) }))
  if (base !== '') await rm(base, { recursive: true, force: true })
  process.exit(code)
}
process.once('SIGINT', () => { void stop(0) })
process.once('SIGTERM', () => { void stop(0) })

try {
  base = await mkdtemp(join(tmpdir(), 'distsync-demo-'))
  const alice = join(base, 'alice')
  const bob = join(base, 'bob')
  const { mkdir } = await import('node:fs/promises')
  await Promise.all([mkdir(alice), mkdir(bob)])
  // each client's identity lives in its folder's state directory; the hub admits just these two
  const ids = await Promise.all([alice, bob].map(async d => await peerId(join(d, '.distsync', 'identity.key'))))
  const hub = start(['hub', '--listen', '/ip4/127.0.0.1/tcp/0', '--data', join(base, 'hub'), ...ids.flatMap(id => ['--allow', id])])
  await until('the hub', () => hub.out().includes('/p2p/'))
  const addr = hub.out().split('\n')[0]!.trim()
  console.log(`hub     ${addr}`)
  const clients = [alice, bob].map(d => start(['client', '--hub', addr, d]))
  await until('the clients', () => clients.every(c => c.err().includes('caught up with the hub')))
  console.log(`alice   ${alice}`)
  console.log(`bob     ${bob}`)

  const t0 = Date.now()
  await writeFile(join(alice, 'hello.txt'), `written in alice at ${new Date().toISOString()}\n`)
  await until('hello.txt in bob', async () => (await readFile(join(bob, 'hello.txt'), 'utf8').catch(() => '')).startsWith('written in alice'))
  console.log(`alice/hello.txt appeared in bob after ${Date.now() - t0} ms`)
  await writeFile(join(bob, 'reply.txt'), 'hello back from bob\n')
  await until('reply.txt in alice', async () => (await readFile(join(alice, 'reply.txt'), 'utf8').catch(() => '')) !== '')
  console.log('bob/reply.txt appeared in alice')
  if (once) await stop(0)
  else console.log('\nEdit, add or delete files in either folder and watch them follow. Ctrl-C stops everything and removes the demo folders.')
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`)
  await stop(1)
}
