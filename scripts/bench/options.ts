import { parseArgs } from 'node:util';
import { BenchError } from './errors.ts';
import { NET_FULL, NET_QUICK, NET_SCENARIO_IDS, type NetScenarioId, type NetSizes } from './net/scenarios.ts';

export const TOOL_IDS = ['distsync', 'rsync-ssh', 'rsync-local', 'syncthing'] as const;
export type ToolId = (typeof TOOL_IDS)[number];

export const WORKLOAD_IDS = ['small-files', 'large', 'large-edit', 'text', 'rename', 'latency', 'fanout'] as const;
export type WorkloadId = (typeof WORKLOAD_IDS)[number];

export interface Sizes {
  smallFiles: number;
  largeMiB: number;
  /** Bytes overwritten in the middle of the large file. */
  editBytes: number;
  textMiB: number;
  clients: number;
  latencyChanges: number;
  fanoutChanges: number;
}

/** The emulated-network part (issue 18): topologies built with ip netns, veth, a bridge and tc. */
export interface NetOptions {
  /** Run the network scenarios (after the loopback workloads). */
  enabled: boolean;
  /** Only the network scenarios: the loopback workloads are skipped and the report is only their section. */
  only: boolean;
  scenarios: NetScenarioId[];
  runs: number;
  sizes: NetSizes;
  /** Measure distsync's loopback 1 KiB p50 for the latency target when the loopback workloads did not. */
  loopbackReference: boolean;
}

export interface BenchOptions {
  quick: boolean;
  tools: ToolId[];
  workloads: WorkloadId[];
  runs: number;
  seed: number;
  sizes: Sizes;
  /** Markdown report path (the SVG goes beside it); undefined = print only. */
  out: string | undefined;
  netns: boolean;
  install: boolean;
  keep: boolean;
  net: NetOptions;
}

const FULL: Sizes = {
  smallFiles: 3000,
  largeMiB: 256,
  editBytes: 1 << 20,
  textMiB: 20,
  clients: 50,
  latencyChanges: 100,
  fanoutChanges: 20,
};

const QUICK: Sizes = {
  smallFiles: 50,
  largeMiB: 2,
  editBytes: 256 << 10,
  textMiB: 1,
  clients: 3,
  latencyChanges: 10,
  fanoutChanges: 3,
};

export const USAGE = `usage: npm run bench -- [options]
  --quick              tiny sizes, 1 run, no report file unless --out is given
  --only LIST          tools: distsync,rsync-ssh,rsync-local,syncthing ("rsync" = both rsync variants)
  --workloads LIST     ${WORKLOAD_IDS.join(',')}
  --runs N             runs per measured cell, median reported (default 3, quick 1)
  --seed N             workload generator seed (default 1)
  --large-mib N        large file size in MiB (default 256; env DISTSYNC_BENCH_LARGE_MIB)
  --small-files N      number of 1-8 KiB files (default 3000)
  --text-mib N         compressible text volume in MiB (default 20)
  --clients N          fan-out clients (default 50)
  --latency-changes N  1 KiB changes for the latency measurement (default 100)
  --net                include the emulated-network scenarios (default on, except with --quick)
  --no-net             skip them
  --net-only           only the emulated-network scenarios; with --out, their section of that file is replaced
  --net-scenarios LIST ${NET_SCENARIO_IDS.join(',')} (default all)
  --net-runs N         runs per network cell, median reported (default 1)
  --net-latency-changes N  1 KiB changes timed in each topology (default 20, quick 3)
  --out PATH           markdown report path (default docs/benchmarks.md; SVG beside it)
  --no-netns           do not re-exec inside a private network namespace
  --no-install         do not apt-get install missing rsync/openssh-server/syncthing
  --keep               keep the temporary bench directory for inspection`;

function positiveInt(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new BenchError('BAD_OPTION', `--${name} must be an integer >= ${min}, got "${raw}"`);
  }
  return value;
}

function parseList<T extends string>(name: string, raw: string | undefined, all: readonly T[], aliases: Record<string, T[]>): T[] {
  if (raw === undefined) return [...all];
  const picked = new Set<T>();
  for (const item of raw.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const alias = aliases[item];
    if (alias !== undefined) alias.forEach((a) => picked.add(a));
    else if ((all as readonly string[]).includes(item)) picked.add(item as T);
    else throw new BenchError('BAD_OPTION', `--${name}: unknown "${item}" (choose from ${all.join(', ')})`);
  }
  // Keep the canonical order so reports are laid out the same every time.
  return all.filter((id) => picked.has(id));
}

export interface ParsedCommandLine {
  options: BenchOptions;
  help: boolean;
}

export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ParsedCommandLine {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      workloads: { type: 'string' },
      runs: { type: 'string' },
      seed: { type: 'string' },
      'large-mib': { type: 'string' },
      'small-files': { type: 'string' },
      'text-mib': { type: 'string' },
      clients: { type: 'string' },
      'latency-changes': { type: 'string' },
      out: { type: 'string' },
      'no-netns': { type: 'boolean', default: false },
      'no-install': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      net: { type: 'boolean', default: false },
      'no-net': { type: 'boolean', default: false },
      'net-only': { type: 'boolean', default: false },
      'net-scenarios': { type: 'string' },
      'net-runs': { type: 'string' },
      'net-latency-changes': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const quick = values.quick === true;
  const base = quick ? QUICK : FULL;
  const largeMiB = positiveInt('large-mib', values['large-mib'] ?? env['DISTSYNC_BENCH_LARGE_MIB'], base.largeMiB);
  const sizes: Sizes = {
    smallFiles: positiveInt('small-files', values['small-files'], base.smallFiles),
    largeMiB,
    // The edit must fit well inside the file; 1 MiB unless the file is tiny.
    editBytes: Math.min(base.editBytes, Math.floor((largeMiB << 20) / 4)),
    textMiB: positiveInt('text-mib', values['text-mib'], base.textMiB),
    clients: positiveInt('clients', values.clients, base.clients, 2),
    latencyChanges: positiveInt('latency-changes', values['latency-changes'], base.latencyChanges),
    fanoutChanges: base.fanoutChanges,
  };
  const options: BenchOptions = {
    quick,
    tools: parseList('only', values.only, TOOL_IDS, { rsync: ['rsync-ssh', 'rsync-local'] }),
    workloads: parseList('workloads', values.workloads, WORKLOAD_IDS, {}),
    runs: positiveInt('runs', values.runs, quick ? 1 : 3),
    seed: positiveInt('seed', values.seed, 1, 0),
    sizes,
    out: values.out ?? (quick ? undefined : 'docs/benchmarks.md'),
    netns: values['no-netns'] !== true,
    install: values['no-install'] !== true,
    keep: values.keep === true,
    net: netOptions(values, quick),
  };
  return { options, help: values.help === true };
}

interface NetFlags {
  net?: boolean | undefined;
  'no-net'?: boolean | undefined;
  'net-only'?: boolean | undefined;
  'net-scenarios'?: string | undefined;
  'net-runs'?: string | undefined;
  'net-latency-changes'?: string | undefined;
}

function netOptions(values: NetFlags, quick: boolean): NetOptions {
  const only = values['net-only'] === true;
  if (only && values['no-net'] === true) throw new BenchError('BAD_OPTION', '--net-only and --no-net contradict each other');
  const base = quick ? NET_QUICK : NET_FULL;
  return {
    enabled: only || values.net === true || (!quick && values['no-net'] !== true),
    only,
    scenarios: parseList('net-scenarios', values['net-scenarios'], NET_SCENARIO_IDS, {}),
    runs: positiveInt('net-runs', values['net-runs'], 1),
    sizes: { ...base, latencyChanges: positiveInt('net-latency-changes', values['net-latency-changes'], base.latencyChanges) },
    loopbackReference: true,
  };
}

/** Options for callers that skip the command line (the smoke test). */
export function quickOptions(overrides: Partial<BenchOptions> = {}): BenchOptions {
  const quick = parseCommandLine(['--quick']).options;
  return { ...quick, netns: false, install: false, ...overrides, net: { ...quick.net, enabled: false, ...overrides.net } };
}
