import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBench, quickOptions } from '../../scripts/bench/harness.ts';
import { EmulatedNetwork, probeEmulation } from '../../scripts/bench/net/emulated-net.ts';
import { NETNS_PREFIX } from '../../scripts/bench/net/net-suite.ts';
import { distsyncCli, repoRoot } from '../../scripts/bench/paths.ts';
import { sleep } from '../../scripts/bench/sys-util.ts';

// The emulated-network benchmark end to end at its smallest: the LAN topology
// (router, bridge, hub and two clients, each in its own namespace, links shaped
// with tc), one 1 MiB transfer through real distsync processes, then teardown.
// Needs root and ip netns (CI runs as root); skipped with the reason otherwise.
const root = repoRoot();
const cliBuilt = existsSync(distsyncCli(root));
const unavailable = cliBuilt ? await probeEmulation(`${NETNS_PREFIX}t`) : 'distsync CLI not built';
const skip = unavailable === undefined ? false : `emulated networks unavailable here: ${unavailable}`;

/** Our namespaces (prefix and PID) that still exist. */
function leftover(pid: number): string[] {
  const out = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
  return out
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(`${NETNS_PREFIX}-${pid}-`));
}

test('one tiny transfer through distsync on the emulated LAN, and every namespace is gone after', { timeout: 120_000, skip }, async () => {
  const log: string[] = [];
  const options = quickOptions({ tools: ['distsync'] });
  options.net = { enabled: true, only: true, scenarios: ['lan'], runs: 1, sizes: { lanMiB: 1, swarmMiB: 1, wanMiB: 1, latencyChanges: 2 }, loopbackReference: false };
  const result = await runBench({ options, root, wireIsolated: false, log: (line) => log.push(line) });
  const context = log.join('\n');
  assert.equal(result.cells.length, 0, 'no loopback workload with --net-only');
  const net = result.net;
  assert.ok(net !== undefined && net.skipped === undefined, context);
  assert.deepEqual(net.cells.map((c) => [c.scenario, c.tool, c.status, c.note]), [['lan', 'distsync', 'ok', undefined]], context);
  const cell = net.cells[0];
  assert.ok(cell !== undefined && cell.verified, context);
  assert.ok((cell.medianMs ?? 0) > 0, context);
  assert.ok((cell.latencyP50Ms ?? 0) > 0, context);
  // Today's data path relays through the hub, and the hub keeps a copy either way.
  assert.ok((cell.hubCopyBytes ?? 0) >= 1 << 20, `hub link carried the file in: ${cell.hubCopyBytes}\n${context}`);
  assert.deepEqual(leftover(process.pid), []);
});

test('a build that fails half-way deletes what it made', { timeout: 60_000, skip }, async () => {
  const abort = new AbortController();
  const hosts = [
    { name: 'a', role: 'client' as const, site: 'wan' as const, mbit: 10 },
    { name: 'b', role: 'client' as const, site: 'wan' as const, mbit: 10 },
  ];
  // Abort once the first namespaces exist, so the build stops in the middle.
  const watcher = (async () => {
    for (let i = 0; i < 400 && !abort.signal.aborted; i++) {
      if (leftover(process.pid).length > 0) abort.abort();
      else await sleep(5);
    }
  })();
  await assert.rejects(EmulatedNetwork.create({ hosts }, NETNS_PREFIX, abort.signal), { name: 'BenchError' });
  abort.abort();
  await watcher;
  assert.deepEqual(leftover(process.pid), []);
});

test('Ctrl-C during a network run stops the processes and deletes the namespaces', { timeout: 120_000, skip }, async () => {
  // Its own TMPDIR, so that what it leaves behind can be told from other runs on the machine.
  const tmp = mkdtempSync(join(tmpdir(), 'bench-net-int-'));
  const child = spawn(process.execPath, [join(root, 'dist', 'scripts', 'bench', 'run.js'), '--quick', '--net-only', '--only', 'distsync', '--net-scenarios', 'wan', '--no-netns', '--no-install'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    // Node's compile cache (the CLI enables it) is Node's, kept across runs on purpose: not in tmp
    env: { ...process.env, TMPDIR: tmp, NODE_COMPILE_CACHE: join(tmpdir(), 'node-compile-cache') },
  });
  const pid = child.pid as number;
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // The loopback reference runs first; the topology exists once the "net wan" line is logged.
  for (let i = 0; i < 600 && !/net wan:/.test(stderr); i++) await sleep(100);
  assert.match(stderr, /net wan:/);
  assert.ok(leftover(pid).length > 0, 'the topology exists while the run is in progress');
  child.kill('SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([exited, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 60_000)))]);
  clearTimeout(timer);
  if (code === 'timeout') child.kill('SIGKILL');
  assert.equal(code, 130, stderr);
  assert.deepEqual(leftover(pid), [], stderr);
  const left = readdirSync(tmp);
  rmSync(tmp, { recursive: true, force: true });
  assert.deepEqual(left, [], 'the benchmark removed its temp dir');
});

test('npm run bench -- --net-only replaces only the network section of the report', { timeout: 120_000, skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-net-report-'));
  try {
    const out = join(dir, 'benchmarks.md');
    writeFileSync(out, '# distsync benchmarks\n\n## Results\n\nkept\n\n## Emulated networks\n\nstale\n\n## Peak memory by process role\n\nkept too\n');
    const args = ['--quick', '--net-only', '--only', 'distsync', '--net-scenarios', 'lan', '--net-latency-changes', '1', '--no-netns', '--no-install', '--out', out];
    const child = spawn(process.execPath, [join(root, 'dist', 'scripts', 'bench', 'run.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, output);
    const report = readFileSync(out, 'utf8');
    assert.match(report, /## Results\n\nkept\n/);
    assert.match(report, /## Peak memory by process role\n\nkept too\n/);
    assert.doesNotMatch(report, /stale/);
    assert.match(report, /\| lan \| distsync \| [0-9.]+ s \|/, report);
    assert.deepEqual(leftover(child.pid as number), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
