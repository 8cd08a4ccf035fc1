// Behaviour 4 of issue 2: name clashes, the newest content wins, the loser survives as a copy.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile, readFile, rm, utimes } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { clientReady, cluster, converged, sleep, startClient, tree, waitFor, type Proc } from './harness.ts'

const peerOf = (c: Proc): string => /client (\S+) syncing/.exec(c.stderr())![1]!

type Write = (a: string, b: string) => Promise<void>

/** Base file synced everywhere, then for each round: b stops, both sides write, b comes back. */
async function clash (hubArgs: string[] | undefined, ...rounds: Write[]): Promise<{ dirs: string[], aPeer: string, close: () => Promise<void> }> {
  const c = await cluster(2, hubArgs)
  try {
    const [a, b] = c.dirs as [string, string]
    await writeFile(join(a, 'report.txt'), 'base')
    await converged(c.dirs)
    const aPeer = peerOf(c.clients[0]!)
    for (const write of rounds) {
      assert.equal(await c.clients[1]!.stop(), 0)
      await write(a, b)
      await sleep(1500) // a's change reaches the hub while b is away
      const back = startClient(c.hub.addr, b)
      c.clients[1] = back
      await clientReady(back)
      await converged(c.dirs)
    }
    return { dirs: c.dirs, aPeer, close: c.close }
  } catch (err) {
    // the processes would keep this test file from ever ending
    await c.close()
    throw err
  }
}

test('the most recently modified content wins everywhere; the loser becomes a conflict copy', async () => {
  const older = new Date('2026-03-04T05:06:07Z')
  const newer = new Date('2026-03-04T06:00:00Z')
  const r = await clash(undefined, async (a, b) => {
    await writeFile(join(a, 'report.txt'), 'from a (older)')
    await utimes(join(a, 'report.txt'), older, older)
    await writeFile(join(b, 'report.txt'), 'from b (newer)')
    await utimes(join(b, 'report.txt'), newer, newer)
  })
  try {
    const copy = `report.sync-conflict-20260304-050607-${r.aPeer.slice(-8)}.txt`
    for (const d of r.dirs) {
      assert.equal(await readFile(join(d, 'report.txt'), 'utf8'), 'from b (newer)')
      assert.equal(await readFile(join(d, copy), 'utf8'), 'from a (older)')
    }
  } finally {
    await r.close()
  }
})

test('a second loser of the same path, second and peer gets its own copy, not the first one\'s', async () => {
  // both of a's versions lose to b and are stamped 05:06:07: one copy name, two contents
  const first = new Date('2026-03-04T05:06:07.100Z')
  const second = new Date('2026-03-04T05:06:07.900Z')
  const round = (aText: string, aTime: Date, bText: string, bTime: Date): Write => async (a, b) => {
    await writeFile(join(a, 'report.txt'), aText)
    await utimes(join(a, 'report.txt'), aTime, aTime)
    await writeFile(join(b, 'report.txt'), bText)
    await utimes(join(b, 'report.txt'), bTime, bTime)
  }
  const r = await clash(undefined,
    round('a, first', first, 'b, first', new Date('2026-03-04T06:00:00Z')),
    round('a, second', second, 'b, second', new Date('2026-03-04T07:00:00Z')))
  try {
    const name = `report.sync-conflict-20260304-050607-${r.aPeer.slice(-8)}`
    for (const d of r.dirs) {
      assert.equal(await readFile(join(d, 'report.txt'), 'utf8'), 'b, second')
      assert.equal(await readFile(join(d, `${name}.txt`), 'utf8'), 'a, first')
      assert.equal(await readFile(join(d, `${name}-2.txt`), 'utf8'), 'a, second')
    }
  } finally {
    await r.close()
  }
})

test('equal mtimes fall to the larger content hash, the same on every node', async () => {
  const when = new Date('2026-05-05T05:05:05Z')
  const contents = ['alpha content', 'beta content']
  // a file's hash is SHA-256 over its chunks' hashes; these small files are one chunk each
  const fileHash = (s: string): Buffer => createHash('sha256').update(createHash('sha256').update(s).digest()).digest()
  const winner = contents.reduce((x, y) => fileHash(x).compare(fileHash(y)) > 0 ? x : y)
  const r = await clash(undefined, async (a, b) => {
    await writeFile(join(a, 'report.txt'), contents[0]!)
    await utimes(join(a, 'report.txt'), when, when)
    await writeFile(join(b, 'report.txt'), contents[1]!)
    await utimes(join(b, 'report.txt'), when, when)
  })
  try {
    for (const d of r.dirs) assert.equal(await readFile(join(d, 'report.txt'), 'utf8'), winner)
    const copies = [...(await tree(r.dirs[0]!)).keys()].filter(k => k.includes('sync-conflict'))
    assert.equal(copies.length, 1)
  } finally {
    await r.close()
  }
})

test('with --conflicts lww the newest content wins and no copy is kept', async () => {
  const r = await clash(['--allow-any', '--conflicts', 'lww'], async (a, b) => {
    await writeFile(join(a, 'report.txt'), 'from a')
    await utimes(join(a, 'report.txt'), new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'))
    await writeFile(join(b, 'report.txt'), 'from b')
    await utimes(join(b, 'report.txt'), new Date('2026-02-01T00:00:00Z'), new Date('2026-02-01T00:00:00Z'))
  })
  try {
    for (const d of r.dirs) {
      assert.equal(await readFile(join(d, 'report.txt'), 'utf8'), 'from b')
      assert.deepEqual([...(await tree(d)).keys()], ['report.txt'])
    }
  } finally {
    await r.close()
  }
})

test('a modification beats a concurrent deletion', async () => {
  const r = await clash(undefined, async (a, b) => {
    await rm(join(a, 'report.txt'))
    await writeFile(join(b, 'report.txt'), 'kept by b')
  })
  try {
    for (const d of r.dirs) {
      await waitFor(`report.txt back in ${d}`, async () => (await readFile(join(d, 'report.txt'), 'utf8').catch(() => '')) === 'kept by b')
    }
  } finally {
    await r.close()
  }
})
