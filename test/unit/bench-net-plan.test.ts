// The pure half of the emulated-network benchmark: bounds, address plans, options, report splicing.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { kumarRossBound, oneLinkSeconds } from '../../scripts/bench/net/kumar-ross.ts'
import { planNetwork, tbfArgs, TopologyError, MAX_IFNAME, type HostSpec } from '../../scripts/bench/net/topology.ts'
import { netScenarios, NET_FULL } from '../../scripts/bench/net/scenarios.ts'
import { spliceNetSection, NET_SECTION_TITLE } from '../../scripts/bench/net/net-report.ts'
import { parseLinkStats } from '../../scripts/bench/net/emulated-net.ts'
import { parseCommandLine } from '../../scripts/bench/options.ts'

const MIB = 2 ** 20

describe('kumarRossBound', () => {
  // [what, file MiB, source up, receivers down, others up, expected seconds]
  const table: Array<[string, number, number, number[], number[], number]> = [
    // Issue 18: hub + 6 clients at 50 Mbit/s, 48 MiB to five: F/u_s binds, "8.1 s".
    ['issue 18 swarm: the source upload binds', 48, 50, [50, 50, 50, 50, 50], [50, 50, 50, 50, 50, 50], (48 * MIB * 8) / 50e6],
    // Issue 18: 96 MiB over a 1 Gbit/s LAN, "the LAN alone needs 0.81 s".
    ['issue 18 LAN: one 1 Gbit/s link', 96, 1000, [1000], [100, 1000], (96 * MIB * 8) / 1e9],
    ['a slow receiver binds', 8, 100, [100, 10], [100, 100], (8 * MIB * 8) / 10e6],
    ['many receivers with little upload: the total upload binds', 1, 1000, Array(100).fill(1000), Array(100).fill(1), (100 * MIB * 8) / 1100e6]
  ]
  for (const [what, mib, up, down, others, expected] of table) {
    test(what, () => {
      const b = kumarRossBound({ fileBytes: mib * MIB, sourceUpMbit: up, receiverDownMbit: down, otherUpMbit: others })
      assert.ok(Math.abs(b.seconds - expected) < 1e-9, `${b.seconds} != ${expected}`)
    })
  }

  test('the bound is the largest term, and more upload elsewhere never raises it', () => {
    const rate = fc.integer({ min: 1, max: 10_000 })
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1 << 30 }), rate, fc.array(rate, { minLength: 1, maxLength: 20 }), fc.array(rate, { maxLength: 20 }), rate, (bytes, up, down, others, extra) => {
        const b = kumarRossBound({ fileBytes: bytes, sourceUpMbit: up, receiverDownMbit: down, otherUpMbit: others })
        assert.equal(b.seconds, Math.max(b.sourceUpload, b.slowestDownload, b.totalUpload))
        const helped = kumarRossBound({ fileBytes: bytes, sourceUpMbit: up, receiverDownMbit: down, otherUpMbit: [...others, extra] })
        assert.ok(helped.seconds <= b.seconds)
        // No distribution beats one direct copy to a single receiver.
        if (down.length === 1) assert.ok(b.seconds <= oneLinkSeconds(bytes, up, down[0] as number) + 1e-12)
      })
    )
  })
})

describe('netScenarios', () => {
  test('the full sizes reproduce the figures issue 18 quotes', () => {
    const byId = new Map(netScenarios(NET_FULL).map((s) => [s.id, s]))
    assert.equal(byId.get('swarm')?.bound.seconds.toFixed(1), '8.1')
    assert.equal(byId.get('lan')?.oneLinkS.toFixed(2), '0.81')
    assert.equal(byId.get('wan')?.oneLinkS.toFixed(1), '21.5')
    assert.deepEqual(byId.get('swarm')?.receivers, ['c2', 'c3', 'c4', 'c5', 'c6'])
  })
})

describe('planNetwork', () => {
  const hosts: HostSpec[] = [
    { name: 'hub', role: 'hub', site: 'wan', mbit: 100 },
    { name: 'a', role: 'client', site: 'lan', mbit: 1000 },
    { name: 'b', role: 'client', site: 'lan', mbit: 1000 },
    { name: 'c', role: 'client', site: 'wan', mbit: 50 }
  ]

  test('every namespace carries the prefix and PID; addresses stay in 10.77/16', () => {
    const plan = planNetwork({ hosts }, 'bench', 4242)
    assert.deepEqual(plan.namespaces, ['bench-4242-hub', 'bench-4242-a', 'bench-4242-b', 'bench-4242-c', 'bench-4242-router'])
    for (const h of plan.hosts) {
      assert.match(h.address, /^10\.77\.\d+\.\d+$/)
      assert.ok(h.hostIf.length <= MAX_IFNAME && h.routerIf.length <= MAX_IFNAME)
    }
  })

  test('LAN hosts share the bridge subnet; each WAN host gets its own with the router as gateway', () => {
    const plan = planNetwork({ hosts }, 'bench', 1)
    const by = new Map(plan.hosts.map((h) => [h.name, h]))
    assert.equal(by.get('a')?.gateway, plan.router.lanAddress)
    assert.equal(by.get('b')?.gateway, plan.router.lanAddress)
    assert.notEqual(by.get('a')?.address, by.get('b')?.address)
    const subnet = (ip: string | undefined): string => (ip ?? '').split('.').slice(0, 3).join('.')
    assert.equal(subnet(by.get('a')?.address), subnet(plan.router.lanAddress))
    assert.notEqual(subnet(by.get('hub')?.address), subnet(by.get('c')?.address))
    assert.deepEqual(plan.router.wanAddresses.map((w) => w.address).sort(), [by.get('hub')?.gateway, by.get('c')?.gateway].sort())
  })

  test('duplicate or unsafe host names are refused', () => {
    assert.throws(() => planNetwork({ hosts: [hosts[0] as HostSpec, hosts[0] as HostSpec] }, 'bench', 1), { name: 'TopologyError', code: 'BAD_TOPOLOGY' })
    assert.throws(() => planNetwork({ hosts: [{ name: 'a;rm', role: 'client', site: 'wan', mbit: 1 }] }, 'bench', 1), TopologyError)
    assert.throws(() => planNetwork({ hosts: [{ name: 'a', role: 'client', site: 'wan', mbit: 0 }] }, 'bench', 1), TopologyError)
  })

  test('tbf gets the rate and a bucket of at least 32 KiB', () => {
    const args = tbfArgs(50)
    assert.equal(args[0], 'tbf')
    assert.equal(args[args.indexOf('rate') + 1], '50mbit')
    assert.ok(Number(args[args.indexOf('burst') + 1]) >= 32 * 1024)
    assert.ok(Number(tbfArgs(1000)[args.indexOf('burst') + 1]) > 32 * 1024)
  })
})

test('parseLinkStats reads ip -j -s link output and ignores what it does not understand', () => {
  const json = JSON.stringify([
    { ifname: 'lo', stats64: { rx: { bytes: 10 }, tx: { bytes: 10 } } },
    { ifname: 'r-hub', stats64: { rx: { bytes: 1234 }, tx: { bytes: 5678 } } },
    { ifname: 'weird' },
    7
  ])
  const stats = parseLinkStats(json)
  assert.deepEqual(stats.get('r-hub'), { rx: 1234, tx: 5678 })
  assert.equal(stats.has('weird'), false)
  assert.equal(parseLinkStats('not json').size, 0)
})

describe('spliceNetSection', () => {
  const section = `${NET_SECTION_TITLE}\n\nnew table\n`
  test('replaces the old section and keeps what follows', () => {
    const md = `# t\n\n## Results\n\nr\n\n${NET_SECTION_TITLE}\n\nold table\n\n## Method\n\nm\n`
    assert.equal(spliceNetSection(md, section), `# t\n\n## Results\n\nr\n\n${NET_SECTION_TITLE}\n\nnew table\n\n## Method\n\nm\n`)
  })
  test('puts it before the memory table when the report has none', () => {
    assert.equal(spliceNetSection('# t\n\n## Results\n\n## Peak memory by process role\n\nm\n', section), `# t\n\n## Results\n\n${section}\n## Peak memory by process role\n\nm\n`)
  })
  test('appends it when the report has neither', () => {
    assert.equal(spliceNetSection('# t\n\n## Results\n', section), `# t\n\n## Results\n\n${section}`)
  })
})

describe('network options', () => {
  const net = (...argv: string[]) => parseCommandLine(argv).options.net
  test('on in a full run, off with --quick unless asked for', () => {
    assert.equal(net().enabled, true)
    assert.equal(net('--no-net').enabled, false)
    assert.equal(net('--quick').enabled, false)
    assert.equal(net('--quick', '--net').enabled, true)
    assert.equal(net('--quick', '--net').sizes.lanMiB < NET_FULL.lanMiB, true)
  })
  test('--net-only runs only the network part; scenarios are selectable', () => {
    const o = net('--net-only', '--net-scenarios', 'wan,lan', '--net-runs', '2')
    assert.equal(o.enabled && o.only, true)
    assert.deepEqual(o.scenarios, ['lan', 'wan'])
    assert.equal(o.runs, 2)
    assert.throws(() => net('--net-scenarios', 'moon'), { name: 'BenchError', code: 'BAD_OPTION' })
    assert.throws(() => net('--net-only', '--no-net'), { code: 'BAD_OPTION' })
  })
})
