// `distsync status DIR` of a running and a stopped client (text and --json), and `distsync
// conflicts DIR` after a real conflict (issue 19 item 3).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile, utimes, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { clientReady, cluster, converged, run, startClient, waitFor, type Proc } from './harness.ts'
import type { ClientStatus } from '../../src/client/status-board.ts'
import type { ConflictListing } from '../../src/cli/client-status.ts'

async function cli (args: string[]): Promise<Proc> {
  const p = run(args)
  assert.equal(await p.exited, 0, `${args.join(' ')}: ${p.stderr()}`)
  return p
}

async function statusJson (dir: string): Promise<ClientStatus> {
  return JSON.parse((await cli(['status', dir, '--json'])).stdout()) as ClientStatus
}

test('status of a running client, of a stopped one, and its conflict copies', async () => {
  const c = await cluster(2)
  const [a, b] = c.dirs as [string, string]
  let back: Proc | undefined
  try {
    await writeFile(join(a, 'report.txt'), 'base')
    await converged([a, b])
    await waitFor('b to have applied the change', async () => (await statusJson(b)).lastSeq >= 1, 20000)

    const live = await statusJson(b)
    assert.equal(live.running, true)
    assert.equal(live.connection, 'connected')
    assert.equal(live.folder, 'default')
    assert.ok(live.hub?.endsWith(c.hub.peerId), live.hub)
    assert.deepEqual(live.files, { files: 1, bytes: 4 })
    assert.deepEqual(live.pendingDown, { files: 0, bytes: 0 })
    assert.deepEqual(live.transfers, [])
    assert.equal((await stat(join(b, '.distsync/status.sock'))).mode & 0o777, 0o600)
    const text = (await cli(['status', b])).stdout()
    assert.match(text, /^client +running \(pid \d+\)$/m)
    assert.match(text, /^connection +connected$/m)
    assert.match(text, /^last seq +\d+ applied$/m)

    // a second client on the same directory is refused: it would fight the first
    const twin = startClient(c.hub.addr, b)
    assert.equal(await twin.exited, 2, twin.stderr())
    assert.match(twin.stderr(), /another client \(pid \d+\) is already syncing/)

    // b stops; both sides write report.txt; b, newer, wins when it comes back; a's is the copy
    assert.equal(await c.clients[1]!.stop(), 0)
    const stopped = await statusJson(b)
    assert.equal(stopped.running, false)
    assert.equal(stopped.lastSeq, live.lastSeq)
    assert.deepEqual(stopped.files, live.files)
    assert.match((await cli(['status', b])).stdout(), /not running/)

    const older = new Date(Date.now() - 60_000)
    await writeFile(join(a, 'report.txt'), 'from a (older)')
    await utimes(join(a, 'report.txt'), older, older)
    await writeFile(join(b, 'report.txt'), 'from b (newer)')
    back = startClient(c.hub.addr, b)
    c.clients[1] = back
    await clientReady(back)
    await converged([a, b])

    const list = JSON.parse((await cli(['conflicts', a, '--json'])).stdout()) as ConflictListing[]
    assert.equal(list.length, 1, JSON.stringify(list))
    assert.equal(list[0]!.original, 'report.txt')
    assert.match(list[0]!.path, /^report\.sync-conflict-\d{8}-\d{6}-\w{8}\.txt$/)
    assert.equal(Math.round(Date.parse(list[0]!.copy.mtime) / 1000), Math.round(older.getTime() / 1000))
    assert.ok(list[0]!.current != null && Date.parse(list[0]!.current.mtime) > older.getTime())
    assert.match((await cli(['conflicts', a])).stdout(), /kept: +report\.sync-conflict-/)
    await waitFor('status to count the conflict', async () => (await statusJson(a)).conflicts.length === 1, 20000)
  } finally {
    await c.close()
  }
})
