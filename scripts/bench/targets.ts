import type { CellResult, SuiteResult } from './suite.ts';
import type { ToolId, WorkloadId } from './options.ts';

/** The goals distsync is held to (issue 3); each evaluated PASS, FAIL or n/a. */
export interface TargetCheck {
  target: string;
  measured: string;
  verdict: 'PASS' | 'FAIL' | 'n/a';
}

const MB = 1e6;
const MIB = 2 ** 20;

function okCell(result: SuiteResult, tool: ToolId, workload: WorkloadId): CellResult | undefined {
  const cell = result.cells.find((c) => c.tool === tool && c.workload === workload);
  return cell?.status === 'ok' && cell.verified ? cell : undefined;
}

/**
 * Bytes a user's own link carries: for distsync the busiest client↔hub
 * connection (the loopback total counts the upload and the download hop).
 */
function linkBytes(cell: CellResult): { bytes: number; detail: string } | undefined {
  if (cell.medianWireBytes === undefined) return undefined;
  if (cell.medianLinkBytes === undefined) return { bytes: cell.medianWireBytes, detail: 'loopback total' };
  return { bytes: cell.medianLinkBytes, detail: `busiest link; loopback total ${(cell.medianWireBytes / MIB).toFixed(2)} MiB` };
}

const verdict = (pass: boolean): TargetCheck['verdict'] => (pass ? 'PASS' : 'FAIL');
const na = (target: string, why: string): TargetCheck => ({ target, measured: why, verdict: 'n/a' });
const secs = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;

/** distsync's time vs Syncthing's for one workload, with an allowed factor. */
function vsSyncthing(result: SuiteResult, workload: WorkloadId, factor: number, target: string): TargetCheck {
  const ours = okCell(result, 'distsync', workload)?.medianMs;
  const theirs = okCell(result, 'syncthing', workload)?.medianMs;
  if (ours === undefined) return na(target, 'distsync not measured');
  if (theirs === undefined) return na(target, 'Syncthing not measured');
  return {
    target,
    measured: `distsync ${secs(ours)} vs Syncthing ${secs(theirs)} (${(ours / theirs).toFixed(2)}×)`,
    verdict: verdict(ours <= factor * theirs),
  };
}

export function evaluateTargets(result: SuiteResult): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const sizes = result.options.sizes;

  const latency = okCell(result, 'distsync', 'latency')?.latency;
  checks.push(
    latency === undefined
      ? na('1 KiB new file: p50 < 30 ms', 'distsync not measured')
      : { target: '1 KiB new file: p50 < 30 ms', measured: `${latency.p50Ms.toFixed(1)} ms`, verdict: verdict(latency.p50Ms < 30) },
    latency === undefined
      ? na('1 KiB new file: p99 < 100 ms', 'distsync not measured')
      : { target: '1 KiB new file: p99 < 100 ms', measured: `${latency.p99Ms.toFixed(1)} ms`, verdict: verdict(latency.p99Ms < 100) },
  );

  checks.push(vsSyncthing(result, 'small-files', 0.5, `${sizes.smallFiles} small files: ≤ 0.5× Syncthing's time`));

  const large = okCell(result, 'distsync', 'large');
  if (large?.medianMs === undefined) checks.push(na('large incompressible: ≥ 250 MB/s', 'distsync not measured'));
  else {
    const rate = large.payloadBytes / MB / (large.medianMs / 1000);
    checks.push({ target: 'large incompressible: ≥ 250 MB/s', measured: `${rate.toFixed(0)} MB/s`, verdict: verdict(rate >= 250) });
  }
  checks.push(vsSyncthing(result, 'large', 1, "large incompressible: ≤ Syncthing's time"));

  const edit = okCell(result, 'distsync', 'large-edit');
  const editBytes = edit === undefined ? undefined : linkBytes(edit);
  const editLimit = 1.5 * sizes.editBytes;
  const editTarget = `${(sizes.editBytes / MIB).toFixed(2)} MiB edit: ≤ ${(editLimit / MIB).toFixed(2)} MiB on the wire`;
  if (editBytes === undefined) checks.push(na(editTarget, 'distsync not measured'));
  else {
    checks.push({
      target: editTarget,
      measured: `${(editBytes.bytes / MIB).toFixed(2)} MiB (${editBytes.detail})`,
      verdict: verdict(editBytes.bytes <= editLimit),
    });
  }
  checks.push(vsSyncthing(result, 'large-edit', 1, "edit: ≤ Syncthing's time"));

  const text = okCell(result, 'distsync', 'text');
  const textBytes = text === undefined ? undefined : linkBytes(text);
  if (text === undefined || textBytes === undefined) checks.push(na('compressible text: wire ≤ 0.4× raw', 'distsync not measured'));
  else {
    const ratio = textBytes.bytes / text.payloadBytes;
    checks.push({
      target: 'compressible text: wire ≤ 0.4× raw',
      measured: `${ratio.toFixed(2)}× raw (${textBytes.detail})`,
      verdict: verdict(ratio <= 0.4),
    });
  }

  const rename = okCell(result, 'distsync', 'rename');
  const renameBytes = rename === undefined ? undefined : linkBytes(rename);
  if (renameBytes === undefined) checks.push(na('rename of large file: < 1 MiB on the wire', 'distsync not measured'));
  else {
    checks.push({
      target: 'rename of large file: < 1 MiB on the wire',
      measured: `${(renameBytes.bytes / MIB).toFixed(3)} MiB (${renameBytes.detail})`,
      verdict: verdict(renameBytes.bytes < MIB),
    });
  }

  const fanout = okCell(result, 'distsync', 'fanout')?.latency;
  const fanTarget = `${sizes.clients} clients, one change: all applied p50 < 100 ms`;
  if (fanout === undefined) checks.push(na(fanTarget, 'distsync not measured'));
  else checks.push({ target: fanTarget, measured: `${fanout.p50Ms.toFixed(1)} ms`, verdict: verdict(fanout.p50Ms < 100) });

  for (const role of ['hub', 'client']) {
    const peaks = result.cells.filter((c) => c.tool === 'distsync').map((c) => c.peakRss[role] ?? 0);
    const peak = Math.max(0, ...peaks);
    const target = `peak RSS of every ${role} process ≤ 150 MB`;
    checks.push(peak === 0 ? na(target, 'distsync not measured') : { target, measured: `${(peak / MB).toFixed(0)} MB`, verdict: verdict(peak <= 150 * MB) });
  }
  return checks;
}
