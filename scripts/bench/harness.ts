import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchOptions, ToolId } from './options.ts';
import { distsyncCli, projectNode } from './paths.ts';
import { ProcessRegistry } from './processes.ts';
import { runNetSuite } from './net/net-suite.ts';
import { runSuite, type SuiteResult } from './suite.ts';
import { DistsyncDriver } from './tools/distsync.ts';
import { RsyncLocalDriver, RsyncSshDriver } from './tools/rsync.ts';
import { SyncthingDriver } from './tools/syncthing.ts';
import type { ToolDriver } from './tools/types.ts';
import { WireCounter } from './wire-bytes.ts';

export { quickOptions } from './options.ts';
export type { SuiteResult, CellResult } from './suite.ts';

export function buildDrivers(tools: readonly ToolId[], root: string): ToolDriver[] {
  const make: Record<ToolId, () => ToolDriver> = {
    distsync: () => new DistsyncDriver(distsyncCli(root), projectNode(root)),
    'rsync-ssh': () => new RsyncSshDriver(),
    'rsync-local': () => new RsyncLocalDriver(),
    syncthing: () => new SyncthingDriver(),
  };
  return tools.map((id) => make[id]());
}

export interface BenchRun {
  options: BenchOptions;
  root: string;
  /** True when running inside our own network namespace. */
  wireIsolated: boolean;
  log: (line: string) => void;
  unavailable?: ReadonlyMap<ToolId, string>;
  /** Abort (Ctrl-C): our processes are killed, remaining cells are skipped, cleanup still runs. */
  signal?: AbortSignal;
}

/**
 * Run the suite in a fresh temp dir under os.tmpdir(), and always stop every
 * process we started and remove the dir (unless options.keep). Used by the
 * CLI entry and directly by the smoke test.
 */
export async function runBench(run: BenchRun): Promise<SuiteResult> {
  const benchDir = await mkdtemp(join(tmpdir(), 'distsync-bench-'));
  const registry = new ProcessRegistry();
  const onExit = (): void => registry.killAllNow();
  process.once('exit', onExit);
  // Killing the tool makes the wait in progress fail at once (its assertAlive).
  run.signal?.addEventListener('abort', onExit, { once: true });
  const optional = {
    ...(run.signal === undefined ? {} : { signal: run.signal }),
    ...(run.unavailable === undefined ? {} : { unavailable: run.unavailable }),
  };
  try {
    const result: SuiteResult = run.options.net.only
      ? { options: run.options, tools: [], cells: [], wireIsolated: run.wireIsolated, durationMs: 0 }
      : await runSuite({
          options: run.options,
          drivers: buildDrivers(run.options.tools, run.root),
          benchDir,
          registry,
          wire: new WireCounter(run.wireIsolated),
          log: run.log,
          ...optional,
        });
    if (run.options.net.enabled) {
      const latency = result.cells.find((c) => c.tool === 'distsync' && c.workload === 'latency' && c.status === 'ok')?.latency?.p50Ms;
      result.net = await runNetSuite({
        options: run.options,
        root: run.root,
        benchDir,
        registry,
        log: run.log,
        ...optional,
        ...(latency === undefined ? {} : { loopbackP50Ms: latency }),
      });
    }
    return result;
  } finally {
    await registry.stopAll();
    process.removeListener('exit', onExit);
    run.signal?.removeEventListener('abort', onExit);
    if (run.options.keep) run.log(`kept ${benchDir}`);
    else await rm(benchDir, { recursive: true, force: true });
  }
}
