import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { changeLoop, measureStep, syncUntimed, type StepMeasurement } from './measure.ts';
import type { BenchOptions, ToolId, WorkloadId } from './options.ts';
import { mergePeaks, RssSampler, type PeakRssByRole } from './proc-stats.ts';
import type { ProcessRegistry } from './processes.ts';
import { median, percentile } from './stats.ts';
import { sleep } from './sys-util.ts';
import type { SyncSession, ToolDriver } from './tools/types.ts';
import type { WireCounter } from './wire-bytes.ts';
import { treeWorkloads, warmupStep, type TreeWorkload } from './workloads.ts';
import { BenchError, describeError } from './errors.ts';
import type { NetResult } from './net/net-suite.ts';

export interface LatencyStats {
  p50Ms: number;
  p99Ms: number;
  samples: number;
  /** Fan-out only: median over every (change, client) pair. */
  perClientP50Ms?: number;
}

export interface CellResult {
  tool: ToolId;
  workload: WorkloadId;
  status: 'ok' | 'failed' | 'skipped';
  /** Why a cell failed or was skipped. */
  note?: string;
  runs: StepMeasurement[];
  medianMs?: number;
  medianWireBytes?: number;
  /** distsync: median bytes on the busiest single client↔hub link. */
  medianLinkBytes?: number;
  /** Every destination verified identical (relative paths + SHA-256) after every run. */
  verified: boolean;
  payloadBytes: number;
  peakRss: PeakRssByRole;
  latency?: LatencyStats;
}

export interface ToolInfo {
  id: ToolId;
  label: string;
  version: string;
  available: boolean;
  reason?: string;
}

export interface SuiteResult {
  options: BenchOptions;
  tools: ToolInfo[];
  cells: CellResult[];
  wireIsolated: boolean;
  durationMs: number;
  /** The emulated-network scenarios, when they were run. */
  net?: NetResult;
}

export interface SuiteParams {
  options: BenchOptions;
  drivers: ToolDriver[];
  benchDir: string;
  registry: ProcessRegistry;
  wire: WireCounter;
  log: (line: string) => void;
  /** Tools known to be missing before we start (failed apt install), with the reason. */
  unavailable?: ReadonlyMap<ToolId, string>;
  /** When aborted, no further session is started. */
  signal?: AbortSignal;
}

const MB = 1e6;
/** Generous per-step bound: a minute plus 2 MB/s for the payload, at most 10 minutes. */
const stepTimeout = (bytes: number): number => Math.min(600_000, 60_000 + (bytes / (2 * MB)) * 1000);
/** Lets trailing protocol traffic of an untimed sync die down before a measured step. */
const SETTLE_MS = 1000;

export async function runSuite(params: SuiteParams): Promise<SuiteResult> {
  const started = performance.now();
  const { options, log } = params;
  const tools: ToolInfo[] = [];
  const ready: ToolDriver[] = [];
  for (const driver of params.drivers) {
    const known = params.unavailable?.get(driver.id);
    const info: ToolInfo = { id: driver.id, label: driver.label, version: 'n/a', available: false };
    try {
      if (known !== undefined) throw new BenchError('TOOL_UNAVAILABLE', known);
      await driver.prepare(params.benchDir, params.registry);
      info.version = await driver.version();
      info.available = true;
      ready.push(driver);
    } catch (err) {
      info.reason = describeError(err);
      log(`skipping ${driver.label}: ${info.reason}`);
    }
    tools.push(info);
  }

  const cells: CellResult[] = [];
  const cellFor = (tool: ToolId, workload: WorkloadId, payloadBytes: number): CellResult => {
    let cell = cells.find((c) => c.tool === tool && c.workload === workload);
    if (cell === undefined) {
      cell = { tool, workload, status: 'ok', runs: [], verified: false, payloadBytes, peakRss: {} };
      cells.push(cell);
    }
    return cell;
  };
  let sessionCounter = 0;

  /** Open a session, sample RSS of its process trees, always close it. */
  const withSession = async (driver: ToolDriver, destinations: number, cell: CellResult, body: (s: SyncSession, workDir: string) => Promise<void>): Promise<void> => {
    if (params.signal?.aborted === true) {
      cell.status = 'failed';
      cell.note ??= 'interrupted';
      return;
    }
    const workDir = join(params.benchDir, 'sessions', `${sessionCounter++}-${driver.id}-${cell.workload}`);
    await mkdir(workDir, { recursive: true });
    const sampler = new RssSampler(200);
    const unsubscribe = params.registry.onSpawn((pid, role) => sampler.track(pid, role));
    sampler.start();
    let session: SyncSession | undefined;
    try {
      session = await driver.openSession({
        workDir,
        destinations,
        registry: params.registry,
        trackExisting: (pid, role) => sampler.track(pid, role),
      });
      const warmupTimeout = 60_000 + destinations * 2000;
      await syncUntimed(session, warmupStep('ready'), join(workDir, 'staging'), params.wire, warmupTimeout);
      await sleep(SETTLE_MS / 2);
      await body(session, workDir);
      cell.verified = true;
    } catch (err) {
      cell.status = 'failed';
      cell.verified = false;
      cell.note = describeError(err);
      log(`${driver.label} / ${cell.workload}: FAILED ${cell.note}`);
    } finally {
      sampler.sampleNow(); // every long-lived process is still alive here
      await session?.close();
      mergePeaks(cell.peakRss, sampler.stop());
      unsubscribe();
      if (!options.keep) await rm(workDir, { recursive: true, force: true });
    }
  };

  const trees = treeWorkloads(options.sizes, options.seed).filter((w) => options.workloads.includes(w.id));
  for (const workload of trees) {
    for (let run = 1; run <= options.runs; run++) {
      // Runs interleave tools, so drift on the machine hits every tool alike.
      for (const driver of ready) {
        const cell = cellFor(driver.id, workload.id, workload.payloadBytes);
        if (cell.status === 'failed') continue;
        await withSession(driver, 1, cell, (session, workDir) => runTreeWorkload(session, workDir, workload, cell, params));
        const last = cell.runs[cell.runs.length - 1];
        if (cell.status === 'ok' && last !== undefined) {
          log(`${driver.label} / ${workload.id} run ${run}/${options.runs}: ${(last.ms / 1000).toFixed(3)} s, ${(last.wireBytes / MB).toFixed(2)} MB on the wire`);
        }
      }
    }
  }
  for (const cell of cells) {
    cell.medianMs = median(cell.runs.map((r) => r.ms));
    cell.medianWireBytes = median(cell.runs.map((r) => r.wireBytes));
    const links = cell.runs.map((r) => r.linkBytes).filter((b): b is number => b !== undefined);
    const medianLink = median(links);
    if (medianLink !== undefined) cell.medianLinkBytes = medianLink;
  }

  if (options.workloads.includes('latency')) {
    for (const driver of ready) {
      const cell = cellFor(driver.id, 'latency', 1024);
      await withSession(driver, 1, cell, async (session) => {
        const result = await changeLoop(session, params.wire, {
          seed: options.seed,
          label: 'latency',
          changes: options.sizes.latencyChanges,
          gapMs: 50,
          perChangeTimeoutMs: 30_000,
        });
        cell.latency = latencyStats(result.allAppliedMs);
        cell.medianMs = cell.latency.p50Ms;
        cell.medianWireBytes = result.wireBytes;
        log(`${driver.label} / latency: p50 ${cell.latency.p50Ms.toFixed(1)} ms, p99 ${cell.latency.p99Ms.toFixed(1)} ms over ${cell.latency.samples} changes`);
      });
    }
  }

  if (options.workloads.includes('fanout')) {
    for (const driver of ready) {
      const cell = cellFor(driver.id, 'fanout', 1024);
      if (!driver.fanout) {
        cell.status = 'skipped';
        cell.note = `fan-out not measured for ${driver.label}`;
        continue;
      }
      await withSession(driver, options.sizes.clients, cell, async (session) => {
        const result = await changeLoop(session, params.wire, {
          seed: options.seed,
          label: 'fanout',
          changes: options.sizes.fanoutChanges,
          gapMs: 200,
          perChangeTimeoutMs: 60_000,
        });
        cell.latency = { ...latencyStats(result.allAppliedMs), perClientP50Ms: median(result.perDestinationMs) ?? Number.NaN };
        cell.medianMs = cell.latency.p50Ms;
        cell.medianWireBytes = result.wireBytes / options.sizes.fanoutChanges;
        log(`${driver.label} / fan-out to ${options.sizes.clients}: all applied p50 ${cell.latency.p50Ms.toFixed(1)} ms, p99 ${cell.latency.p99Ms.toFixed(1)} ms`);
      });
    }
  }

  for (const driver of ready) {
    try {
      await driver.dispose();
    } catch (err) {
      log(`${driver.label}: cleanup failed: ${describeError(err)}`);
    }
  }
  return { options, tools, cells, wireIsolated: params.wire.isolated, durationMs: performance.now() - started };
}

async function runTreeWorkload(session: SyncSession, workDir: string, workload: TreeWorkload, cell: CellResult, params: SuiteParams): Promise<void> {
  const staging = join(workDir, 'staging');
  if (workload.baseline !== undefined) {
    await syncUntimed(session, workload.baseline, staging, params.wire, stepTimeout(workload.payloadBytes));
    await sleep(SETTLE_MS);
  }
  const timeout = stepTimeout(workload.id === 'large-edit' ? params.options.sizes.largeMiB * 2 ** 20 : workload.payloadBytes);
  cell.runs.push(await measureStep(session, workload.change, staging, params.wire, timeout));
}

function latencyStats(samples: readonly number[]): LatencyStats {
  return {
    p50Ms: percentile(samples, 50) ?? Number.NaN,
    p99Ms: percentile(samples, 99) ?? Number.NaN,
    samples: samples.length,
  };
}
