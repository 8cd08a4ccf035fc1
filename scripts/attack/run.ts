// The attack of issue 17 against a real hub and two honest clients on 127.0.0.1: one hostile
// member (an allowlisted identity, on two connections), strangers with their own keys, idle and
// garbage sockets, all at once for a bounded time. Prints the hub's peak RSS and whether the
// honest clients kept syncing. `node dist/scripts/attack/run.js [--seconds N]`; the suite runs a
// short form (test/integration/attack.test.ts).
import { writeFile, rm, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'
import { createNode } from '../../src/net/node.ts'
import { peerIdOf } from '../../src/net/identity.ts'
import { BLOCKS_PROTOCOL, SYNC_PROTOCOL } from '../../src/protocol/constants.ts'
import { encodeClientMessage } from '../../src/protocol/codec.ts'
import { sha256 } from '../../src/chunk/hash.ts'
import { amplify, endlessPrefix, oneChunkFile, openSync, refusedProposals, resultOf, serveChunk, serveNothing, stopReading, stuckProposals, unreadProposals } from './hostile-member.ts'
import { garbageSockets, idleSockets, strangers } from './strangers.ts'
import { mb, peakRssOf, rssOf } from './memory.ts'
import { clientReady, converged, run, startClient, startHub, tempDir, type Proc } from '../../test/integration/harness.ts'

export const ATTACKS = ['amplify', 'stuck', 'unread', 'refused', 'prefix', 'strangers', 'garbage', 'idle'] as const
export type AttackName = typeof ATTACKS[number]

export interface AttackReport {
  seconds: number
  hubPeakRss: number
  hubAlive: boolean
  /** honest clients' files written during the attack, all on both clients at the end */
  honestFiles: number
  honestConverged: boolean
  lostHub: boolean
  strangersAdmitted: number
  hubLogBytes: number
  notes: string[]
}

async function idOf (keyFile: string): Promise<string> {
  const p = run(['id', '--identity', keyFile])
  if (await p.exited !== 0) throw new Error(`distsync id failed: ${p.stderr()}`)
  return p.stdout().trim()
}

/** Repeats `fn` until the deadline, counting rounds; errors end a round, not the loop. */
async function repeat (deadline: number, fn: () => Promise<unknown>): Promise<number> {
  let rounds = 0
  while (Date.now() < deadline) {
    await fn().catch(() => {})
    rounds++
  }
  return rounds
}

async function hostileNode (key: PrivateKey): Promise<Libp2p> {
  const node = await createNode({ privateKey: key, pingIntervalMs: 10_000 })
  await node.start()
  return node
}

/** `only`: run these attacks alone (all by default) */
/** How hard each attacker pushes: the suite's short form runs beside other tests on a small machine. */
export interface AttackScale { readingStreams: number, unreadStreams: number, stuckChunks: number, unreadProposals: number, refusals: number, garbageSockets: number, idleSockets: number, strangers: number }
export const FULL: AttackScale = { readingStreams: 4, unreadStreams: 32, stuckChunks: 25_000, unreadProposals: 50_000, refusals: 2000, garbageSockets: 8, idleSockets: 300, strangers: 10 }
export const SHORT: AttackScale = { readingStreams: 2, unreadStreams: 16, stuckChunks: 25_000, unreadProposals: 30_000, refusals: 500, garbageSockets: 2, idleSockets: 300, strangers: 4 }

export async function runAttack (opts: { seconds: number, scale?: AttackScale, only?: AttackName[], log?: (line: string) => void }): Promise<AttackReport> {
  const scale = opts.scale ?? FULL
  const say = opts.log ?? (() => {})
  const notes: string[] = []
  const dirs = await Promise.all([tempDir('honest-a'), tempDir('honest-b')])
  const hostileKey = await generateKeyPair('Ed25519')
  const honestIds = await Promise.all(dirs.map(async d => await idOf(join(d, '.distsync/identity.key'))))
  const hub = await startHub({ args: [...honestIds, peerIdOf(hostileKey)].flatMap(id => ['--allow', id]) })
  const port = Number(/\/tcp\/(\d+)/.exec(hub.addr)![1])
  const clients: Proc[] = dirs.map(d => startClient(hub.addr, d))
  const nodes: Libp2p[] = []
  let idle: Awaited<ReturnType<typeof idleSockets>> | undefined
  try {
    await Promise.all(clients.map(clientReady))
    say(`hub up, RSS ${mb(rssOf(hub.child.pid!))}; two honest clients caught up`)
    // the member's own 108 KB chunk, stored by the hub, to ask for again and again
    const [serving, stuck] = [await hostileNode(hostileKey), await hostileNode(hostileKey)]
    nodes.push(serving, stuck)
    const data = randomBytes(108 * 1024)
    await serveChunk(serving, data)
    await serveNothing(stuck)
    const setup = await openSync(serving, hub.addr)
    const id = setup.nextId()
    await setup.lp.write(encodeClientMessage({ type: 'propose', propose: { id, entry: oneChunkFile('member.bin', data), baseSeq: 0, blocks: [] } }))
    if ((await resultOf(setup, id))?.outcome !== 'accepted') notes.push('the member\'s own chunk was not accepted')

    const ms = opts.seconds * 1000
    const deadline = Date.now() + ms
    const on = (name: AttackName): boolean => opts.only == null || opts.only.includes(name)
    if (on('idle')) idle = await idleSockets(port, scale.idleSockets)
    let honestFiles = 0
    const honest = (async () => {
      while (Date.now() < deadline) {
        await Promise.all(dirs.map(async (d, i) => {
          await mkdir(join(d, 'honest'), { recursive: true })
          await writeFile(join(d, 'honest', `${i}-${honestFiles}.txt`), `written at ${Date.now()} ${randomBytes(8).toString('hex')}`)
        }))
        honestFiles += 2
        await new Promise(resolve => setTimeout(resolve, 500))
      }
    })()
    const counts = await Promise.all([
      on('amplify') ? amplify(serving, hub.addr, sha256(data), { streams: scale.readingStreams, repeat: 1024, readAnswers: true, ms }) : 0,
      on('amplify') ? amplify(serving, hub.addr, sha256(data), { streams: scale.unreadStreams, repeat: 1024, readAnswers: false, ms }) : 0,
      on('stuck') && repeat(deadline, async () => { await stuckProposals(await openSync(stuck, hub.addr), 100, scale.stuckChunks, Math.max(0, deadline - Date.now())) }),
      on('unread') && repeat(deadline, async () => {
        const s = await openSync(serving, hub.addr)
        stopReading(s.stream)
        await unreadProposals(s, scale.unreadProposals)
        await new Promise(resolve => setTimeout(resolve, 2000))
      }),
      on('refused') && repeat(deadline, async () => { await refusedProposals(await openSync(serving, hub.addr), scale.refusals) }),
      on('prefix') && repeat(deadline, async () => {
        const streams = await Promise.all([SYNC_PROTOCOL, BLOCKS_PROTOCOL].map(async p => await endlessPrefix(serving, hub.addr, p, 3.5 * 1024 * 1024)))
        for (const s of streams) s.abort(new Error('next round'))
      }),
      on('strangers') && repeat(deadline, async () => { await strangers(hub.addr, scale.strangers) }),
      on('garbage') ? garbageSockets(port, scale.garbageSockets, ms) : 0,
      honest
    ])
    say(`attack over after ${opts.seconds} s: ${counts[0] + counts[1]} blocks streams ended by the hub, ${String(counts[7])} garbage sockets`)
    const strangersAdmitted = await strangers(hub.addr, 5)
    idle?.close()
    // every honest file written during the attack, on both clients
    let honestConverged = true
    try { await converged(dirs, 60_000) } catch (err) { honestConverged = false; notes.push((err as Error).message.slice(0, 500)) }
    const hubPeakRss = peakRssOf(hub.child.pid!) ?? 0
    const hubAlive = hub.child.exitCode == null
    const lostHub = clients.some(c => c.stderr().includes('lost the hub'))
    for (const c of clients) {
      const lines = c.stderr().split('\n')
      const at = lines.findIndex(l => l.includes('lost the hub'))
      if (at >= 0) notes.push(`an honest client: ${lines.slice(Math.max(0, at - 3), at + 2).join(' | ').slice(0, 1500)}`)
    }
    if (process.env.ATTACK_LOGS != null) {
      await writeFile(join(process.env.ATTACK_LOGS, 'hub.log'), hub.stderr())
      await Promise.all(clients.map(async (c, i) => { await writeFile(join(process.env.ATTACK_LOGS!, `client-${i}.log`), c.stderr()) }))
    }
    const report: AttackReport = { seconds: opts.seconds, hubPeakRss, hubAlive, honestFiles, honestConverged, lostHub, strangersAdmitted, hubLogBytes: hub.stderr().length, notes }
    say(`hub peak RSS ${mb(hubPeakRss)}; hub ${hubAlive ? 'alive' : 'DEAD'}; honest clients ${honestConverged ? 'converged' : 'NOT converged'} on ${honestFiles} files; ${lostHub ? 'an honest client LOST THE HUB' : 'no honest client lost the hub'}; ${strangersAdmitted} strangers admitted; hub log ${mb(hub.stderr().length)}`)
    return report
  } finally {
    idle?.close()
    await Promise.all(nodes.map(async n => { await Promise.race([n.stop(), new Promise(resolve => setTimeout(resolve, 3000))]) }))
    await Promise.all(clients.map(async c => await c.stop()))
    await hub.stop()
    await Promise.all([...dirs, hub.dataDir].map(async d => await rm(d, { recursive: true, force: true })))
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--seconds')
  const seconds = i > 0 ? Number(process.argv[i + 1]) : 60
  const j = process.argv.indexOf('--only')
  const only = j > 0 ? process.argv[j + 1]!.split(',').filter((a): a is AttackName => (ATTACKS as readonly string[]).includes(a)) : undefined
  const report = await runAttack({ seconds, ...(only != null ? { only } : {}), log: line => { process.stdout.write(`attack: ${line}\n`) } })
  process.stdout.write(`${JSON.stringify(report)}\n`)
  process.exit(report.hubAlive && report.honestConverged && !report.lostHub && report.hubPeakRss < 300e6 && report.strangersAdmitted === 0 ? 0 : 1)
}
