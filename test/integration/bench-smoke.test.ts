import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { runBench, quickOptions } from '../../scripts/bench/harness.ts';
import { WORKLOAD_IDS } from '../../scripts/bench/options.ts';
import { distsyncCli, repoRoot } from '../../scripts/bench/paths.ts';

// The benchmark harness end to end, distsync only, at tiny sizes: real hub and
// client processes, every workload, trees verified by SHA-256. No network
// namespace, no apt, and no report files (runBench only returns the result).
const root = repoRoot();
const cliBuilt = existsSync(distsyncCli(root));

test('bench harness measures distsync on every workload at --quick size', { timeout: 150_000, skip: cliBuilt ? false : 'distsync CLI not built' }, async () => {
  const log: string[] = [];
  const options = quickOptions({ tools: ['distsync'] });
  assert.equal(options.sizes.smallFiles, 50);
  assert.equal(options.sizes.largeMiB, 2);
  assert.equal(options.sizes.clients, 3);
  assert.equal(options.runs, 1);

  const result = await runBench({ options, root, wireIsolated: false, log: (line) => log.push(line) });
  const context = log.join('\n');

  assert.deepEqual(
    result.tools.map((t) => [t.id, t.available]),
    [['distsync', true]],
    context,
  );
  assert.deepEqual(
    result.cells.map((c) => c.workload).sort(),
    [...WORKLOAD_IDS].sort(),
    context,
  );
  for (const cell of result.cells) {
    const where = `${cell.workload}: ${cell.note ?? ''}\n${context}`;
    assert.equal(cell.tool, 'distsync');
    assert.equal(cell.status, 'ok', where);
    assert.equal(cell.verified, true, where);
    assert.ok(cell.medianMs !== undefined && Number.isFinite(cell.medianMs) && cell.medianMs > 0, where);
    assert.ok((cell.peakRss['hub'] ?? 0) > 0, `hub RSS sampled for ${where}`);
    assert.ok((cell.peakRss['client'] ?? 0) > 0, `client RSS sampled for ${where}`);
    if (cell.workload === 'latency' || cell.workload === 'fanout') {
      assert.ok(cell.latency !== undefined, where);
      assert.ok(cell.latency.p50Ms > 0 && cell.latency.p50Ms <= cell.latency.p99Ms, where);
    } else {
      assert.equal(cell.runs.length, 1, where);
      const run = cell.runs[0];
      assert.ok(run !== undefined && run.wireBytes > 0, `some bytes crossed loopback for ${where}`);
    }
  }
  const latency = result.cells.find((c) => c.workload === 'latency');
  assert.equal(latency?.latency?.samples, options.sizes.latencyChanges);
  const fanout = result.cells.find((c) => c.workload === 'fanout');
  assert.equal(fanout?.latency?.samples, options.sizes.fanoutChanges);
});
