import { kumarRossBound, oneLinkSeconds, type DistributionBound } from './kumar-ross.ts';
import type { HostSpec, Topology } from './topology.ts';

export const NET_SCENARIO_IDS = ['lan', 'swarm', 'wan'] as const;
export type NetScenarioId = (typeof NET_SCENARIO_IDS)[number];

/** What issue 18 holds distsync to in each topology. */
export type NetTarget =
  | { kind: 'vs-syncthing'; factor: number }
  | { kind: 'bound'; factor: number }
  | { kind: 'one-link'; factor: number };

export interface NetScenario {
  id: NetScenarioId;
  title: string;
  topology: Topology;
  source: string;
  receivers: string[];
  fileBytes: number;
  bound: DistributionBound;
  /** The direct copy source → slowest receiver over one link. */
  oneLinkS: number;
  target: NetTarget;
}

export interface NetSizes {
  lanMiB: number;
  swarmMiB: number;
  wanMiB: number;
  /** 1 KiB changes timed in each topology. */
  latencyChanges: number;
}

export const NET_FULL: NetSizes = { lanMiB: 96, swarmMiB: 48, wanMiB: 256, latencyChanges: 20 };
export const NET_QUICK: NetSizes = { lanMiB: 4, swarmMiB: 2, wanMiB: 4, latencyChanges: 3 };

const MIB = 2 ** 20;
const hub = (mbit: number): HostSpec => ({ name: 'hub', role: 'hub', site: 'wan', mbit });
const client = (name: string, site: HostSpec['site'], mbit: number): HostSpec => ({ name, role: 'client', site, mbit });

function build(id: NetScenarioId, title: string, hosts: HostSpec[], source: string, receivers: string[], mib: number, target: NetTarget): NetScenario {
  const rate = (name: string): number => hosts.find((h) => h.name === name)?.mbit ?? Number.NaN;
  const fileBytes = mib * MIB;
  const receiverDown = receivers.map(rate);
  return {
    id,
    title,
    topology: { hosts },
    source,
    receivers,
    fileBytes,
    // The hub forwards too, so its upload counts in Σu.
    bound: kumarRossBound({
      fileBytes,
      sourceUpMbit: rate(source),
      receiverDownMbit: receiverDown,
      otherUpMbit: hosts.filter((h) => h.name !== source).map((h) => h.mbit),
    }),
    oneLinkS: oneLinkSeconds(fileBytes, rate(source), Math.min(...receiverDown)),
    target,
  };
}

/** The three topologies of issue 18's "Measure it" table. */
export function netScenarios(sizes: NetSizes): NetScenario[] {
  const swarmClients = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
  return [
    build(
      'lan',
      `hub on 100 Mbit/s, A and B on one 1 Gbit/s LAN, ${sizes.lanMiB} MiB A→B`,
      [hub(100), client('a', 'lan', 1000), client('b', 'lan', 1000)],
      'a',
      ['b'],
      sizes.lanMiB,
      { kind: 'vs-syncthing', factor: 1 },
    ),
    build(
      'swarm',
      `hub + 6 clients, each 50 Mbit/s, ${sizes.swarmMiB} MiB from one to the other five`,
      [hub(50), ...swarmClients.map((c) => client(c, 'wan', 50))],
      'c1',
      swarmClients.slice(1),
      sizes.swarmMiB,
      { kind: 'bound', factor: 1.3 },
    ),
    build(
      'wan',
      `A, hub, B each on 100 Mbit/s, ${sizes.wanMiB} MiB A→B`,
      [client('a', 'wan', 100), hub(100), client('b', 'wan', 100)],
      'a',
      ['b'],
      sizes.wanMiB,
      { kind: 'one-link', factor: 1.15 },
    ),
  ];
}

/** Allowed distance of a topology's 1 KiB p50 from the loopback p50. */
export const LATENCY_SLACK_MS = 10;
