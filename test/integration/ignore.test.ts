// .distsyncignore (issue 19 item 2): synced like any file; an ignored path is neither proposed nor
// applied; newly ignoring a path deletes it nowhere; rules that stop ignoring a path bring it
// (both ways, including changes skipped meanwhile).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile, mkdir, rm, access } from 'node:fs/promises'
import { join } from 'node:path'
import { clientReady, cluster, converged, sleep, startClient, waitFor, type Proc } from './harness.ts'

const exists = async (p: string): Promise<boolean> => await access(p).then(() => true, () => false)

/** Writes a marker on `from` and waits for it on `to`: what `from` proposed before has been relayed. */
async function barrier (from: string, to: string, name: string): Promise<void> {
  await writeFile(join(from, name), name)
  await waitFor(`${name} to reach ${to}`, async () => await exists(join(to, name)), 30000)
}

/** The rules have been read by a client once its log says so (n times in all). */
async function rulesRead (c: Proc, n: number): Promise<void> {
  await waitFor(`the client to read the ignore rules (${n})`, () => c.stderr().split('ignore rules changed').length - 1 >= n, 30000)
}

test('ignore rules: added, changed and removed live; ignored files deleted nowhere', async () => {
  const c = await cluster(2)
  const [a, b] = c.dirs as [string, string]
  try {
    await writeFile(join(a, 'data.log'), 'kept everywhere')
    await converged([a, b])

    await writeFile(join(a, '.distsyncignore'), '*.tmp\nbuild/\n')
    await rulesRead(c.clients[0]!, 1)
    await rulesRead(c.clients[1]!, 1)
    await writeFile(join(a, 'x.tmp'), 'scratch')
    await mkdir(join(a, 'build'))
    await writeFile(join(a, 'build', 'out.js'), 'generated')
    await writeFile(join(b, 'notes.tmp'), 'b only')
    await barrier(a, b, 'marker-1')
    await barrier(b, a, 'marker-2')
    assert.equal(await exists(join(b, 'x.tmp')), false, 'an ignored file is not proposed')
    assert.equal(await exists(join(b, 'build')), false, 'nor an ignored directory')
    assert.equal(await exists(join(a, 'notes.tmp')), false)

    // newly ignoring *.log: deleting data.log on a deletes nothing elsewhere
    await writeFile(join(a, '.distsyncignore'), '*.tmp\nbuild/\n*.log\n')
    await rulesRead(c.clients[1]!, 2)
    await rm(join(a, 'data.log'))
    await sleep(1500) // deletions are held back 1 s before they are proposed
    await barrier(a, b, 'marker-3')
    assert.equal(await exists(join(b, 'data.log')), true, 'an ignored deletion is not proposed')

    // no longer ignoring *.tmp and build/: what each side kept reaches the other
    await writeFile(join(a, '.distsyncignore'), '*.log\n')
    await waitFor('x.tmp, build/out.js and notes.tmp everywhere', async () =>
      await exists(join(b, 'x.tmp')) && await exists(join(b, 'build', 'out.js')) && await exists(join(a, 'notes.tmp')), 30000)
    // a directory that was not watched while ignored is watched now
    await writeFile(join(a, 'build', 'later.js'), 'written after the rule went')
    await waitFor('build/later.js to reach b', async () => await exists(join(b, 'build', 'later.js')), 30000)
  } finally {
    await c.close()
  }
})

test('ignore rules: a change skipped while ignored is applied once the rule goes', async () => {
  const c = await cluster(2)
  const [a, b] = c.dirs as [string, string]
  let back: Proc | undefined
  try {
    // b, stopped, ignores *.bak; a (no rules yet) writes z.bak meanwhile
    assert.equal(await c.clients[1]!.stop(), 0)
    await writeFile(join(b, '.distsyncignore'), '*.bak\n')
    await writeFile(join(a, 'z.bak'), 'from a')
    await barrier(a, a, 'z.bak') // (already there: a's own file)
    await sleep(1000)
    back = startClient(c.hub.addr, b)
    c.clients[1] = back
    await clientReady(back)
    // b's rules reach a; b skipped z.bak
    await waitFor('b\'s rules to reach a', async () => await exists(join(a, '.distsyncignore')), 30000)
    await barrier(a, b, 'marker-1')
    assert.equal(await exists(join(b, 'z.bak')), false, 'an ignored remote change is not applied')

    await writeFile(join(a, '.distsyncignore'), '# nothing ignored\n')
    await waitFor('z.bak to reach b once nothing is ignored', async () => await exists(join(b, 'z.bak')), 30000)
    await converged([a, b])
  } finally {
    await c.close()
  }
})
