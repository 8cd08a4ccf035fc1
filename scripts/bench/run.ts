/**
 * `npm run bench`: distsync vs rsync (ssh and local) vs Syncthing on the same
 * generated data. Installs missing Debian packages, then re-executes itself
 * inside a private network namespace so loopback byte counts are exact.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { ensureIpCommand, ensureToolPackages } from './deps.ts';
import { BenchError, describeError } from './errors.ts';
import { runBench } from './harness.ts';
import { collectMachineInfo } from './machine-info.ts';
import { bringUpLoopback, IN_NETNS_ENV, probeNetns, reexecInNetns, UNAVAILABLE_ENV } from './netns.ts';
import { parseCommandLine, USAGE, type BenchOptions, type ToolId } from './options.ts';
import { repoRoot } from './paths.ts';
import { netSection, spliceNetSection } from './net/net-report.ts';
import { ratioBars, renderMarkdown } from './report.ts';
import { ratioChartSvg } from './svg.ts';
import { runScale, scaleOptions } from './scale.ts';

const log = (line: string): void => {
  process.stderr.write(`[bench] ${line}\n`);
};

function unavailableFromEnv(): Map<ToolId, string> {
  try {
    return new Map(JSON.parse(process.env[UNAVAILABLE_ENV] ?? '[]') as Array<[ToolId, string]>);
  } catch {
    return new Map();
  }
}

async function measureAndReport(options: BenchOptions, unavailable: Map<ToolId, string>, isolated: boolean): Promise<number> {
  const root = repoRoot();
  // Ctrl-C: kill our processes, skip the rest, but still clean up and print
  // what was measured. A second signal (more than a second later, since the
  // netns parent forwards the one the terminal already sent us) forces exit.
  const abort = new AbortController();
  let firstSignalAt = 0;
  const onSignal = (): void => {
    const now = Date.now();
    if (firstSignalAt === 0) {
      firstSignalAt = now;
      log('interrupted: stopping processes and cleaning up (Ctrl-C again to force)');
      abort.abort();
    } else if (now - firstSignalAt > 1000) {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const result = await runBench({ options, root, wireIsolated: isolated, log, unavailable, signal: abort.signal });
  if (options.net.only) return reportNetOnly(options, root, result.net === undefined ? undefined : netSection(result.net), abort.signal.aborted, result.net?.cells.filter((c) => c.status === 'failed').length ?? 0);
  const machine = await collectMachineInfo(root, result.tools);
  const mdPath = options.out === undefined ? undefined : isAbsolute(options.out) ? options.out : resolve(root, options.out);
  const svgName = mdPath === undefined ? undefined : `${basename(mdPath, extname(mdPath))}.svg`;
  const markdown = renderMarkdown(result, machine, svgName);
  process.stdout.write(`${markdown}\n`);
  if (mdPath !== undefined && svgName !== undefined) {
    await mkdir(dirname(mdPath), { recursive: true });
    await writeFile(mdPath, markdown);
    await writeFile(join(dirname(mdPath), svgName), ratioChartSvg(ratioBars(result), 'distsync'));
    log(`wrote ${mdPath} and ${join(dirname(mdPath), svgName)}`);
  }
  const failed = result.cells.filter((c) => c.status === 'failed').length + (result.net?.cells.filter((c) => c.status === 'failed').length ?? 0);
  if (failed > 0) log(`${failed} cell(s) failed; see the table`);
  return abort.signal.aborted ? 130 : failed > 0 ? 1 : 0;
}

/**
 * --net-only: print the emulated-network section and, with a report file,
 * replace that section in it, so the loopback figures of the last full run stay.
 */
async function reportNetOnly(options: BenchOptions, root: string, section: string | undefined, aborted: boolean, failed: number): Promise<number> {
  if (section === undefined) return 1;
  process.stdout.write(`${section}\n`);
  if (options.out !== undefined) {
    const mdPath = isAbsolute(options.out) ? options.out : resolve(root, options.out);
    const existing = await readFile(mdPath, 'utf8').catch(() => '# distsync benchmarks\n');
    await mkdir(dirname(mdPath), { recursive: true });
    await writeFile(mdPath, spliceNetSection(existing, section));
    log(`updated the emulated-network section of ${mdPath}`);
  }
  if (failed > 0) log(`${failed} network cell(s) failed; see the table`);
  return aborted ? 130 : failed > 0 ? 1 : 0;
}

async function main(): Promise<number> {
  // issue 20's big tree and many clients: their own run (minutes, and no network namespace needed)
  if (process.argv.includes('--scale')) {
    await runScale(scaleOptions(process.argv.slice(2)));
    return 0;
  }
  let options: BenchOptions;
  try {
    const parsed = parseCommandLine(process.argv.slice(2));
    if (parsed.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    options = parsed.options;
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    return 2;
  }

  if (process.env[IN_NETNS_ENV] === '1') {
    await bringUpLoopback();
    return measureAndReport(options, unavailableFromEnv(), true);
  }

  // Packages first: inside the namespace there is no network to reach apt.
  const ctx = { install: options.install, log };
  // Tools that stay missing are reported (one line each) when the suite starts.
  const unavailable = await ensureToolPackages(options.tools, ctx);

  if (options.netns) {
    const problem = (await ensureIpCommand(ctx)) ?? (await probeNetns());
    if (problem === undefined) {
      return reexecInNetns({ [UNAVAILABLE_ENV]: JSON.stringify([...unavailable]) });
    }
    log(`WARNING: no private network namespace (${problem}); using the shared 127.0.0.1, so byte counts may include other traffic`);
  } else {
    log('WARNING: --no-netns: byte counts on the shared loopback may include other traffic');
  }
  return measureAndReport(options, unavailable, false);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`[bench] fatal: ${err instanceof BenchError ? describeError(err) : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
