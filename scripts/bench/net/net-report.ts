import { median } from '../stats.ts';
import type { TargetCheck } from '../targets.ts';
import type { NetCell, NetResult } from './net-suite.ts';
import { LATENCY_SLACK_MS, type NetScenario } from './scenarios.ts';

const MB = 1e6;
const MIB = 2 ** 20;
export const NET_SECTION_TITLE = '## Emulated networks';
/** The section renderMarkdown puts after this one. */
export const NEXT_SECTION_TITLE = '## Peak memory by process role';

const secs = (ms: number | undefined): string => (ms === undefined || !Number.isFinite(ms) ? '—' : `${(ms / 1000).toFixed(2)} s`);
const msec = (ms: number | undefined): string => (ms === undefined || !Number.isFinite(ms) ? '—' : `${ms.toFixed(1)} ms`);
const label = (tool: NetCell['tool']): string => (tool === 'distsync' ? 'distsync' : 'Syncthing');

function okCell(net: NetResult, scenario: NetScenario['id'], tool: NetCell['tool']): NetCell | undefined {
  const cell = net.cells.find((c) => c.scenario === scenario && c.tool === tool);
  return cell?.status === 'ok' && cell.verified ? cell : undefined;
}

function scenariosTable(net: NetResult): string {
  const rows = ['| scenario | what | Kumar–Ross bound | one link | target |', '| --- | --- | ---: | ---: | --- |'];
  for (const s of net.scenarios) {
    const b = s.bound;
    const target =
      s.target.kind === 'vs-syncthing' ? 'no later than Syncthing; the hub\'s copy over its own link' : s.target.kind === 'bound' ? `≤ ${s.target.factor}× the bound` : `≤ ${s.target.factor}× one link`;
    rows.push(
      `| ${s.id} | ${s.title} | ${b.seconds.toFixed(2)} s (F/u_s ${b.sourceUpload.toFixed(2)}, F/d_min ${b.slowestDownload.toFixed(2)}, N·F/Σu ${b.totalUpload.toFixed(2)}) | ${s.oneLinkS.toFixed(2)} s | ${target} |`,
    );
  }
  return rows.join('\n');
}

function resultsTable(net: NetResult): string {
  const rows = [
    '| scenario | tool | time to every receiver | first receiver | vs distsync | × bound | × one link | hub link in / out (MB) | 1 KiB p50 / p99 | verified |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |',
  ];
  for (const s of net.scenarios) {
    const ref = okCell(net, s.id, 'distsync')?.medianMs;
    for (const cell of net.cells.filter((c) => c.scenario === s.id)) {
      if (cell.status !== 'ok' || cell.medianMs === undefined) {
        rows.push(`| ${s.id} | ${label(cell.tool)} | failed: ${(cell.note ?? '').replace(/\|/g, '/').replace(/\s+/g, ' ').slice(0, 160)} | | | | | | | ✗ |`);
        continue;
      }
      const t = cell.medianMs;
      const runs = cell.runs.length > 1 ? ` (${cell.runs.length} runs)` : '';
      const hubIn = cell.runs.map((r) => r.hubInBytes).find((b) => b !== undefined);
      const hubOut = cell.runs.map((r) => r.hubOutBytes).find((b) => b !== undefined);
      const hub = hubIn === undefined || hubOut === undefined ? '—' : `${(hubIn / MB).toFixed(1)} / ${(hubOut / MB).toFixed(1)}`;
      rows.push(
        `| ${s.id} | ${label(cell.tool)} | ${secs(t)}${runs} | ${secs(median(cell.runs.map((r) => r.firstMs)))} | ${ref === undefined ? '—' : `${(t / ref).toFixed(2)}×`} | ${(t / 1000 / s.bound.seconds).toFixed(2)}× | ${(t / 1000 / s.oneLinkS).toFixed(2)}× | ${hub} | ${msec(cell.latencyP50Ms)} / ${msec(cell.latencyP99Ms)} | ${cell.verified ? '✓' : '✗'} |`,
      );
    }
  }
  return rows.join('\n');
}

const verdict = (pass: boolean): TargetCheck['verdict'] => (pass ? 'PASS' : 'FAIL');
const na = (target: string, measured: string): TargetCheck => ({ target, measured, verdict: 'n/a' });

/** Issue 18's targets, each PASS, FAIL or n/a. */
export function evaluateNetTargets(net: NetResult): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const s of net.scenarios) {
    const ours = okCell(net, s.id, 'distsync');
    const theirs = okCell(net, s.id, 'syncthing');
    const t = ours?.medianMs;
    if (s.target.kind === 'vs-syncthing') {
      const target = `${s.id}: receiver has it no later than Syncthing's receiver`;
      if (t === undefined) checks.push(na(target, 'distsync not measured'));
      else if (theirs?.medianMs === undefined) checks.push(na(target, `distsync ${secs(t)}; Syncthing not measured`));
      else checks.push({ target, measured: `distsync ${secs(t)} vs Syncthing ${secs(theirs.medianMs)} (${(t / theirs.medianMs).toFixed(2)}×)`, verdict: verdict(t <= s.target.factor * theirs.medianMs) });
      const copy = `${s.id}: the hub's copy arrives over its own link`;
      if (ours?.hubCopyBytes === undefined) checks.push(na(copy, 'distsync not measured'));
      else checks.push({ target: copy, measured: `${(ours.hubCopyBytes / MIB).toFixed(1)} MiB into the hub's link (file ${(s.fileBytes / MIB).toFixed(0)} MiB)`, verdict: verdict(ours.hubCopyBytes >= s.fileBytes) });
    } else {
      const limit = s.target.kind === 'bound' ? s.bound.seconds : s.oneLinkS;
      const name = s.target.kind === 'bound' ? 'Kumar–Ross bound' : 'one-link time';
      const target = `${s.id}: every receiver in ≤ ${s.target.factor}× the ${name} (${limit.toFixed(2)} s)`;
      const st = theirs?.medianMs === undefined ? '' : `; Syncthing ${secs(theirs.medianMs)} = ${(theirs.medianMs / 1000 / limit).toFixed(2)}×`;
      if (t === undefined) checks.push(na(target, 'distsync not measured'));
      else checks.push({ target, measured: `${secs(t)} = ${(t / 1000 / limit).toFixed(2)}×${st}`, verdict: verdict(t / 1000 <= s.target.factor * limit) });
    }
    const lat = `${s.id}: 1 KiB new file p50 within ${LATENCY_SLACK_MS} ms of loopback`;
    if (ours?.latencyP50Ms === undefined) checks.push(na(lat, 'distsync not measured'));
    else if (net.loopbackP50Ms === undefined) checks.push(na(lat, `${msec(ours.latencyP50Ms)}; no loopback figure in this run`));
    else {
      checks.push({
        target: lat,
        measured: `${msec(ours.latencyP50Ms)} vs loopback ${msec(net.loopbackP50Ms)} (${net.loopbackFrom ?? ''})`,
        verdict: verdict(ours.latencyP50Ms <= net.loopbackP50Ms + LATENCY_SLACK_MS),
      });
    }
  }
  return checks;
}

/** The whole "Emulated networks" section, ending with a blank line. */
export function netSection(net: NetResult): string {
  const lines = [NET_SECTION_TITLE, ''];
  if (net.skipped !== undefined) {
    lines.push(`Not measured: ${net.skipped}.`, '');
    return lines.join('\n');
  }
  const c = net.context;
  const conditions =
    `Measured ${c.startedAt}, distsync ${c.commit}${c.syncthing === undefined ? '' : `, ${c.syncthing}`}; ${c.cores} cores shared with other work, ` +
    `harness and tools at niceness ${c.nice}, 1-min load average ${c.load[0].toFixed(1)} at the start and ${c.load[1].toFixed(1)} at the end: the figures carry that noise.`;
  const targets = ['| target | measured | verdict |', '| --- | --- | :---: |', ...evaluateNetTargets(net).map((c) => `| ${c.target} | ${c.measured} | ${c.verdict} |`)];
  lines.push(
    `Each scenario runs in its own topology (${(net.durationMs / 60_000).toFixed(1)} min in all): one network namespace per process and a router namespace joining a LAN bridge and one veth per WAN host, every link shaped with tc tbf in both directions (this kernel has no netem, so there is no added delay). Rates are Mbit/s = 10^6 bit/s; file sizes MiB.`,
    '',
    conditions,
    '',
    scenariosTable(net),
    '',
    resultsTable(net),
    '',
    'Time runs from the rename of the staged file into the source directory until every receiver\'s tree was verified (SHA-256), as for the loopback workloads; for Syncthing its REST API must also report every receiver at 100 %. "First receiver": until the first of them had it. ' +
      'Syncthing runs only on the client hosts, every device sharing the folder with every other (full mesh), fsWatcherDelayS=1; distsync runs a hub on the hub host and a client on every client host. ' +
      '"hub link in / out" = bytes the hub\'s own link carried towards / from the hub during the timed transfer (router counters, headers included). ' +
      'Kumar–Ross bound = max(F/u_s, F/d_min, N·F/Σu) with Σu the upload of every node including the hub; one link = F over the slower of the source\'s upload and the receiver\'s download. ' +
      '1 KiB p50 / p99: a new 1 KiB file on the source, until every receiver has it' +
      (net.loopbackP50Ms === undefined ? '.' : `; loopback reference ${msec(net.loopbackP50Ms)} (${net.loopbackFrom ?? ''}).`),
    '',
    ...targets,
    '',
  );
  return lines.join('\n');
}

/** Replace the emulated-network section of an existing report (or append it), leaving the rest as it was. */
export function spliceNetSection(markdown: string, section: string): string {
  const start = markdown.indexOf(`\n${NET_SECTION_TITLE}\n`);
  if (start < 0) {
    // Where a full run puts it: before the memory table, else at the end.
    const before = markdown.indexOf(`\n${NEXT_SECTION_TITLE}\n`);
    if (before < 0) return `${markdown.trimEnd()}\n\n${section}`;
    return `${markdown.slice(0, before + 1)}${section}\n${markdown.slice(before + 1)}`;
  }
  const next = markdown.indexOf('\n## ', start + 1);
  const tail = next < 0 ? '' : markdown.slice(next + 1);
  return `${markdown.slice(0, start + 1)}${section}${tail === '' ? '' : `\n${tail}`}`;
}
