// Every command line the README and `--help` show, typed as a user types it on a fresh machine:
// new data and identity folders, relative paths, the `npm run -s distsync -- …` form (issue 19,
// issue 16 item 8). Each starts, or fails with its documented exit code and one line saying why.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { readFile, stat, mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { run, startHub, tempDir, waitFor, type Proc } from './harness.ts'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const LOOPBACK = '/ip4/127.0.0.1/tcp/0'

/** A shell command line as a user types it, in `cwd`, with HOME in a temp folder. */
function shell (line: string, cwd: string, home: string): Proc {
  const env: Record<string, string | undefined> = { ...process.env, HOME: home, DISTSYNC_LOG: 'info' }
  delete env.XDG_DATA_HOME
  delete env.INIT_CWD
  // its own process group: npm does not pass SIGTERM on to the node it started through sh
  const child: ChildProcess = spawn('bash', ['-c', `exec ${line}`], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let out = ''
  let err = ''
  child.stdout!.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr!.on('data', (d: Buffer) => { err += d.toString() })
  const exited = new Promise<number>(resolve => { child.on('exit', (code, sig) => { resolve(code ?? (sig === 'SIGKILL' ? 137 : 143)) }) })
  const end = async (sig: NodeJS.Signals): Promise<number> => {
    // the whole group: npm and the node it runs
    try { process.kill(-child.pid!, sig) } catch { child.kill(sig) }
    return await exited
  }
  return { child, stdout: () => out, stderr: () => err, exited, stop: async () => await end('SIGTERM'), kill: async () => await end('SIGKILL') }
}

/** The lines a user reads on stderr: logs are JSON lines, everything else is for people. */
function humanLines (stderr: string): string[] {
  return stderr.split('\n').filter(l => l.trim() !== '' && !l.startsWith('{'))
}

async function failsWith (p: Proc, code: number, pattern: RegExp): Promise<void> {
  assert.equal(await p.exited, code, p.stderr())
  // a warning, or the client's opening line, is not the reason
  const lines = humanLines(p.stderr()).filter(l => !l.startsWith('distsync: warning:') && !/^distsync: client \S+ syncing /.test(l))
  assert.equal(lines.length, 1, `one line on stderr, got:\n${p.stderr()}`)
  assert.match(lines[0]!, pattern)
}

async function startsWith (p: Proc, what: string, ok: () => boolean): Promise<void> {
  await Promise.race([
    waitFor(what, ok, 30000),
    p.exited.then(code => { throw new Error(`exited ${code} before ${what}: ${p.stderr()}`) })
  ])
}

/** The README's `npm run -s distsync -- …` lines, in order. */
async function readmeCommands (): Promise<string[]> {
  const text = await readFile(join(ROOT, 'README.md'), 'utf8')
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap(m => m[1]!.split('\n')).filter(l => l.startsWith('npm run -s distsync -- '))
}

test('the README\'s commands work as written on a fresh machine (new HOME, no data folder yet)', async () => {
  const home = await tempDir('home')
  const procs: Proc[] = []
  try {
    const lines = await readmeCommands()
    const idLine = lines.find(l => l.includes(' id '))
    const hubLine = lines.find(l => l.includes(' hub '))
    const clientLine = lines.find(l => l.includes(' client '))
    assert.ok(idLine != null && hubLine != null && clientLine != null, `README shows id, hub and client: ${lines.join(' / ')}`)

    const id = shell(idLine, ROOT, home)
    assert.equal(await id.exited, 0, id.stderr())
    const clientPeer = id.stdout().trim()
    assert.match(clientPeer, /^12D3KooW/)
    // the second client the hub line admits: the README's other client directory
    const other = run(['id', '--identity', join(home, 'Pictures/.distsync/identity.key')])
    assert.equal(await other.exited, 0)

    // the hub's default listen address is every interface: tests stay on loopback
    const hubCmd = hubLine.replace('12D3KooW…client1', clientPeer).replace('12D3KooW…client2', other.stdout().trim()) + ` --listen ${LOOPBACK}`
    assert.doesNotMatch(hubCmd, /…/, 'every placeholder in the hub line is filled')
    const hub = shell(hubCmd, ROOT, home)
    procs.push(hub)
    await startsWith(hub, 'the hub to print its address', () => hub.stdout().includes('/p2p/'))
    const addr = hub.stdout().split('\n')[0]!.trim()
    // the default data folder did not exist: the hub made it
    await stat(join(home, '.local/share/distsync/hub/journal.db'))

    // every client line, each with its directory made as a user would have it
    for (const line of lines.filter(l => l.includes(' client '))) {
      const clientCmd = line.replace(/\/ip4\/\S+\/p2p\/12D3KooW…hub/, addr)
      assert.doesNotMatch(clientCmd, /…/)
      const dir = clientCmd.split(' ').at(-1)!
      if (dir.startsWith('~/')) await mkdir(join(home, dir.slice(2)), { recursive: true })
      const client = shell(clientCmd, ROOT, home)
      procs.push(client)
      await startsWith(client, `${clientCmd} to catch up`, () => client.stderr().includes('caught up with the hub'))
    }

    for (const line of lines.filter(l => / (status|conflicts)\b/.test(l))) {
      const p = shell(line, ROOT, home)
      assert.equal(await p.exited, 0, `${line}: ${p.stderr()}`)
      assert.notEqual(p.stdout(), '', line)
    }
  } finally {
    for (const p of procs) await p.stop()
    await rm(home, { recursive: true, force: true })
  }
})

test('hub, id, client and status with relative paths to folders that do not exist yet', async () => {
  const cwd = await tempDir('cwd')
  const procs: Proc[] = []
  try {
    const hub = shell(`node ${join(ROOT, 'dist/src/cli/main.js')} hub --data new/hub-data --identity keys/hub.key --allow-any --listen ${LOOPBACK}`, cwd, cwd)
    procs.push(hub)
    await startsWith(hub, 'the hub to print its address', () => hub.stdout().includes('/p2p/'))
    assert.equal((await stat(join(cwd, 'keys/hub.key'))).mode & 0o777, 0o600)
    await stat(join(cwd, 'new/hub-data/journal.db'))
    const addr = hub.stdout().split('\n')[0]!.trim()

    const id = shell(`node ${join(ROOT, 'dist/src/cli/main.js')} id --identity more/keys/c.key`, cwd, cwd)
    assert.equal(await id.exited, 0, id.stderr())
    assert.equal((await stat(join(cwd, 'more/keys/c.key'))).mode & 0o777, 0o600)

    await mkdir(join(cwd, 'docs'))
    // the npm form from another folder: relative paths are the user's, not the package's
    const client = shell(`npm --prefix ${ROOT} run -s distsync -- client --hub ${addr} --identity more/keys/c.key docs`, cwd, cwd)
    procs.push(client)
    await startsWith(client, 'the client to catch up', () => client.stderr().includes('caught up with the hub'))
    await stat(join(cwd, 'docs/.distsync/index.db'))
    assert.ok(client.stderr().includes(id.stdout().trim()), 'the client runs as the identity given by a relative path')

    const status = shell(`npm --prefix ${ROOT} run -s distsync -- status --data new/hub-data`, cwd, cwd)
    assert.equal(await status.exited, 0, status.stderr())
    assert.equal(typeof (JSON.parse(status.stdout()) as { headSeq: unknown }).headSeq, 'number')
  } finally {
    for (const p of procs) await p.stop()
    await rm(cwd, { recursive: true, force: true })
  }
})

test('documented failures exit with their code and one line', async () => {
  const cwd = await tempDir('fail')
  const hub = await startHub()
  try {
    const cli = (args: string): Proc => shell(`node ${join(ROOT, 'dist/src/cli/main.js')} ${args}`, cwd, cwd)
    await failsWith(cli('status --data nowhere'), 2, /^distsync: no hub journal in .*nowhere/)
    await failsWith(cli(`client --hub ${hub.addr} missing-dir`), 2, /^distsync: directory .*missing-dir does not exist/)
    await failsWith(cli(`hub --data d --listen ${LOOPBACK}`), 2, /^distsync: the hub admits nobody/)
    await failsWith(cli('hub --allow not-a-peer --data d'), 2, /is not a peer ID/)
    await failsWith(cli(`hub --allow-any --data d --psk ${join(ROOT, 'package.json')} --listen ${LOOPBACK}`), 2, /is not a pre-shared key file/)
    await failsWith(cli('client --hub /ip4/127.0.0.1/tcp/1 .'), 2, /must end with \/p2p\//)
    await mkdir(join(cwd, 'dir'))
    await failsWith(cli(`client --hub /ip4/127.0.0.1/tcp/1/p2p/${hub.peerId} dir`), 3, /^distsync: hub .* is not reachable/)
    const unknown = cli('frobnicate')
    assert.equal(await unknown.exited, 2)
    assert.match(unknown.stderr(), /unknown command 'frobnicate'/)
  } finally {
    await hub.stop()
    await rm(cwd, { recursive: true, force: true })
    await rm(hub.dataDir, { recursive: true, force: true })
  }
})

/** Option names per command, as `--help` lists them. */
async function helpOptions (command: string): Promise<{ text: string, options: Set<string> }> {
  const p = run([command, '--help'])
  assert.equal(await p.exited, 0)
  const text = p.stdout()
  const options = new Set([...text.matchAll(/^\s+(?:-\w, )?(--[a-z-]+)/gm)].map(m => m[1]!).filter(o => o !== '--help'))
  return { text, options }
}

test('--version, --help shows every default, and the README\'s CLI reference matches --help', async () => {
  const version = run(['--version'])
  assert.equal(await version.exited, 0)
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }
  assert.match(version.stdout(), new RegExp(`^distsync ${pkg.version.replaceAll('.', '\\.')} \\(/distsync/sync/`))

  const top = run(['--help'])
  assert.equal(await top.exited, 0)
  const commands = [...top.stdout().matchAll(/^ {2}([a-z]+)\b/gm)].map(m => m[1]!).filter(c => c !== 'help')
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8')
  // a command may have several rows (status: a client's, the hub's)
  const rows = new Map<string, string>()
  for (const m of readme.matchAll(/^\| `distsync ([a-z]+)([^|]*(?:\\\|[^|]*)*)` \|/gm)) rows.set(m[1]!, (rows.get(m[1]!) ?? '') + m[2]!)
  assert.deepEqual([...rows.keys()].sort(), [...commands].sort(), 'the README lists every command --help lists')

  for (const command of commands) {
    const { text, options } = await helpOptions(command)
    const documented = new Set([...rows.get(command)!.matchAll(/--[a-z-]+/g)].map(m => m[0]))
    assert.deepEqual([...documented].sort(), [...options].sort(), `README's ${command} options match --help`)
    // every option that takes a value or can be left out says what happens when it is
    const entries = text.split(/\n(?= {2}-)/).filter(e => /^ {2}--/.test(e) && !e.includes('--help'))
    for (const entry of entries) {
      if (/^ {2}--hub </.test(entry)) continue // required: no default
      assert.match(entry.replace(/\s+/g, ' '), /\(default: /, `${command} --help shows the default of: ${entry.trim()}`)
    }
  }
})
