import { mkdir, rm } from 'node:fs/promises';
import { availableParallelism, getPriority, loadavg } from 'node:os';
import { join } from 'node:path';
import { BenchError, describeError } from '../errors.ts';
import { distsyncCommit } from '../machine-info.ts';
import { changeLoop, measureStep, syncUntimed } from '../measure.ts';
import type { BenchOptions, ToolId } from '../options.ts';
import { distsyncCli, projectNode } from '../paths.ts';
import { runCommand, type ProcessRegistry } from '../processes.ts';
import { median, percentile } from '../stats.ts';
import { findExecutable, sleep } from '../sys-util.ts';
import { DistsyncDriver } from '../tools/distsync.ts';
import type { SyncSession } from '../tools/types.ts';
import { WireCounter } from '../wire-bytes.ts';
import { largeFileStep, warmupStep } from '../workloads.ts';
import { EmulatedNetwork, probeEmulation, type PortCounters } from './emulated-net.ts';
import { openDistsyncNet, openSyncthingNet } from './net-sessions.ts';
import { netScenarios, type NetScenario, type NetScenarioId } from './scenarios.ts';

export type NetToolId = Extract<ToolId, 'distsync' | 'syncthing'>;
const NET_TOOLS: readonly NetToolId[] = ['distsync', 'syncthing'];

/** Namespace prefix: the branch that owns these benchmarks (COMMON.md: names carry it and the PID). */
export const NETNS_PREFIX = 'bench';

export interface NetRun {
  /** Until every receiver held the file (verified by SHA-256). */
  ms: number;
  /** Until the first receiver held it. */
  firstMs: number;
  /** Router counters of the hub's link over the timed step (distsync only). */
  hubInBytes?: number;
  hubOutBytes?: number;
}

export interface NetCell {
  scenario: NetScenarioId;
  tool: NetToolId;
  status: 'ok' | 'failed';
  note?: string;
  runs: NetRun[];
  medianMs?: number;
  /** 1 KiB new file in this topology: time until every receiver had it. */
  latencyP50Ms?: number;
  latencyP99Ms?: number;
  verified: boolean;
  /** distsync: bytes into the hub over its own link until its copy was in (or the wait gave up). */
  hubCopyBytes?: number;
}

export interface NetResult {
  scenarios: NetScenario[];
  cells: NetCell[];
  /** distsync's 1 KiB p50 on loopback, the reference for the per-topology latency target. */
  loopbackP50Ms?: number;
  loopbackFrom?: 'loopback workload' | 'reference run';
  /** Why nothing was measured (no ip netns here). */
  skipped?: string;
  durationMs: number;
  /** Conditions of the run, printed with the figures: the machine is shared. */
  context: RunContext;
}

export interface RunContext {
  startedAt: string;
  commit: string;
  syncthing: string | undefined;
  cores: number;
  /** Niceness of the harness (and so of every process it starts). */
  nice: number;
  /** 1-minute load average at the start and at the end. */
  load: [number, number];
}

export interface NetSuiteParams {
  options: BenchOptions;
  root: string;
  benchDir: string;
  registry: ProcessRegistry;
  log: (line: string) => void;
  signal?: AbortSignal;
  unavailable?: ReadonlyMap<ToolId, string>;
  /** distsync's loopback latency p50 if the loopback suite measured it in this run. */
  loopbackP50Ms?: number;
}

const SETTLE_MS = 500;

/** Every selected scenario, each in a topology built for it and deleted after it, whatever happens. */
export async function runNetSuite(params: NetSuiteParams): Promise<NetResult> {
  const started = performance.now();
  const { options, log } = params;
  const scenarios = netScenarios(options.net.sizes).filter((s) => options.net.scenarios.includes(s.id));
  const context: RunContext = {
    startedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    commit: await distsyncCommit(params.root),
    syncthing: undefined,
    cores: availableParallelism(),
    nice: getPriority(),
    load: [loadavg()[0] ?? Number.NaN, Number.NaN],
  };
  const result: NetResult = { scenarios, cells: [], durationMs: 0, context };
  const problem = await probeEmulation(NETNS_PREFIX);
  if (problem !== undefined) {
    result.skipped = `no emulated network here: ${problem}`;
    log(`emulated networks skipped: ${problem}`);
    return result;
  }
  const tools = await availableTools(params);
  context.syncthing = await syncthingVersion(tools);
  if (params.loopbackP50Ms !== undefined) {
    result.loopbackP50Ms = params.loopbackP50Ms;
    result.loopbackFrom = 'loopback workload';
  } else if (tools.has('distsync') && options.net.loopbackReference) {
    const p50 = await loopbackReference(params);
    if (p50 !== undefined) {
      result.loopbackP50Ms = p50;
      result.loopbackFrom = 'reference run';
    }
  }
  let counter = 0;
  for (const scenario of scenarios) {
    if (params.signal?.aborted === true) break;
    let net: EmulatedNetwork | undefined;
    try {
      net = await EmulatedNetwork.create(scenario.topology, NETNS_PREFIX, params.signal);
      log(`net ${scenario.id}: ${scenario.title}; Kumar–Ross bound ${scenario.bound.seconds.toFixed(2)} s, one link ${scenario.oneLinkS.toFixed(2)} s`);
      for (const [tool, open] of tools) {
        const cell: NetCell = { scenario: scenario.id, tool, status: 'ok', runs: [], verified: false };
        result.cells.push(cell);
        for (let run = 1; run <= options.net.runs && cell.status === 'ok'; run++) {
          const workDir = join(params.benchDir, 'net', `${counter++}-${tool}-${scenario.id}`);
          await measureNetRun({ params, net, scenario, cell, open, workDir, latency: run === 1 });
          const last = cell.runs[cell.runs.length - 1];
          if (cell.status === 'ok' && last !== undefined) log(`net ${scenario.id} / ${tool} run ${run}: ${(last.ms / 1000).toFixed(2)} s`);
        }
        cell.medianMs = median(cell.runs.map((r) => r.ms));
      }
    } catch (err) {
      log(`net ${scenario.id}: FAILED ${describeError(err)}`);
      for (const tool of tools.keys()) {
        if (!result.cells.some((c) => c.scenario === scenario.id && c.tool === tool)) {
          result.cells.push({ scenario: scenario.id, tool, status: 'failed', note: describeError(err), runs: [], verified: false });
        }
      }
    } finally {
      await net?.destroy();
    }
  }
  result.durationMs = performance.now() - started;
  context.load[1] = loadavg()[0] ?? Number.NaN;
  return result;
}

async function syncthingVersion(tools: ReadonlyMap<NetToolId, unknown>): Promise<string | undefined> {
  const binary = tools.has('syncthing') ? await findExecutable('syncthing') : undefined;
  if (binary === undefined) return undefined;
  const out = await runCommand(binary, ['--version'], { timeoutMs: 10_000 }).catch(() => undefined);
  return out?.stdout.trim().split(' ').slice(0, 2).join(' ');
}

type Opener = (net: EmulatedNetwork, scenario: NetScenario, workDir: string, registry: ProcessRegistry) => Promise<SyncSession>;

async function availableTools(params: NetSuiteParams): Promise<Map<NetToolId, Opener>> {
  const tools = new Map<NetToolId, Opener>();
  for (const tool of NET_TOOLS) {
    if (!params.options.tools.includes(tool)) continue;
    const known = params.unavailable?.get(tool);
    if (known !== undefined) {
      params.log(`net: skipping ${tool}: ${known}`);
      continue;
    }
    if (tool === 'distsync') {
      const cli = distsyncCli(params.root);
      const node = projectNode(params.root);
      tools.set(tool, (net, scenario, workDir, registry) => openDistsyncNet({ net, scenario, workDir, registry }, cli, node));
    } else {
      const binary = await findExecutable('syncthing');
      if (binary === undefined) {
        params.log('net: skipping Syncthing: not installed');
        continue;
      }
      tools.set(tool, (net, scenario, workDir, registry) => openSyncthingNet({ net, scenario, workDir, registry }, binary));
    }
  }
  return tools;
}

interface RunSpec {
  params: NetSuiteParams;
  net: EmulatedNetwork;
  scenario: NetScenario;
  cell: NetCell;
  open: Opener;
  workDir: string;
  latency: boolean;
}

/** One fresh session: warm-up, the timed file, the hub's copy (distsync), then the 1 KiB changes. */
async function measureNetRun(spec: RunSpec): Promise<void> {
  const { params, net, scenario, cell, workDir } = spec;
  const wire = new WireCounter(false); // loopback of the harness: not where this traffic goes
  await mkdir(workDir, { recursive: true });
  let session: SyncSession | undefined;
  try {
    if (params.signal?.aborted === true) throw new BenchError('COMMAND_FAILED', 'interrupted');
    session = await spec.open(net, scenario, workDir, params.registry);
    const clients = scenario.topology.hosts.filter((h) => h.role === 'client').length;
    await syncUntimed(session, warmupStep('ready'), join(workDir, 'staging'), wire, 90_000 + clients * 5000);
    await sleep(SETTLE_MS);
    const hub = scenario.topology.hosts.find((h) => h.role === 'hub')?.name ?? 'hub';
    const before = (await net.counters()).get(hub);
    const timeout = 120_000 + 6 * scenario.bound.seconds * 1000;
    const step = await measureStep(session, largeFileStep(params.options.seed, scenario.fileBytes), join(workDir, 'staging'), wire, timeout);
    const after = (await net.counters()).get(hub);
    const run: NetRun = { ms: step.ms, firstMs: Math.min(...step.perDestinationMs) };
    if (cell.tool === 'distsync' && before !== undefined && after !== undefined) {
      run.hubInBytes = after.toHost - before.toHost;
      run.hubOutBytes = after.fromHost - before.fromHost;
      cell.hubCopyBytes = await waitForHubCopy(net, hub, before, scenario, params.signal);
    }
    cell.runs.push(run);
    if (spec.latency) {
      const appliedMs = await latencyChanges(session, wire, params);
      cell.latencyP50Ms = percentile(appliedMs, 50);
      cell.latencyP99Ms = percentile(appliedMs, 99);
    }
    cell.verified = true;
  } catch (err) {
    cell.status = 'failed';
    cell.verified = false;
    cell.note = describeError(err);
    params.log(`net ${scenario.id} / ${cell.tool}: FAILED ${cell.note}`);
  } finally {
    await session?.close();
    if (!params.options.keep) await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * The hub takes its own copy over its own link (issue 18: announce early,
 * hold eventually): wait, bounded, until that link has carried the file in.
 */
async function waitForHubCopy(net: EmulatedNetwork, hub: string, before: PortCounters, scenario: NetScenario, signal?: AbortSignal): Promise<number> {
  const hubMbit = scenario.topology.hosts.find((h) => h.name === hub)?.mbit ?? 1;
  const deadline = Date.now() + 30_000 + (3 * scenario.fileBytes * 8) / (hubMbit * 1e3);
  let received = 0;
  for (let poll = 0; poll < 10_000 && Date.now() < deadline && signal?.aborted !== true; poll++) {
    received = ((await net.counters()).get(hub)?.toHost ?? before.toHost) - before.toHost;
    if (received >= scenario.fileBytes) break;
    await sleep(250);
  }
  return received;
}

/** The timed 1 KiB changes, the same in every topology and on loopback: each one's time until every receiver had it. */
async function latencyChanges(session: SyncSession, wire: WireCounter, params: NetSuiteParams): Promise<number[]> {
  const loop = await changeLoop(session, wire, {
    seed: params.options.seed,
    label: 'latency',
    changes: params.options.net.sizes.latencyChanges,
    gapMs: 50,
    perChangeTimeoutMs: 30_000,
  });
  return loop.allAppliedMs;
}

/** distsync's 1 KiB latency on loopback, when the loopback workloads did not measure it in this run. */
async function loopbackReference(params: NetSuiteParams): Promise<number | undefined> {
  const driver = new DistsyncDriver(distsyncCli(params.root), projectNode(params.root));
  const workDir = join(params.benchDir, 'net', 'loopback-reference');
  await mkdir(workDir, { recursive: true });
  let session: SyncSession | undefined;
  try {
    session = await driver.openSession({ workDir, destinations: 1, registry: params.registry, trackExisting: () => undefined });
    const wire = new WireCounter(false);
    await syncUntimed(session, warmupStep('ready'), join(workDir, 'staging'), wire, 60_000);
    await sleep(SETTLE_MS);
    const p50 = percentile(await latencyChanges(session, wire, params), 50);
    params.log(`net: loopback reference 1 KiB p50 ${p50?.toFixed(1)} ms`);
    return p50;
  } catch (err) {
    params.log(`net: loopback reference failed: ${describeError(err)}`);
    return undefined;
  } finally {
    await session?.close();
    if (!params.options.keep) await rm(workDir, { recursive: true, force: true });
  }
}

