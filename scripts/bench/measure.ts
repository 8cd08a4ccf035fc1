import { readFileSync, statSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BenchError } from './errors.ts';
import { busiestLinkBytes, socketCounters } from './link-bytes.ts';
import { sleep } from './sys-util.ts';
import type { SyncSession } from './tools/types.ts';
import { diffManifests, manifestOf, TreeWatcher, type Manifest } from './tree-verify.ts';
import type { WireCounter } from './wire-bytes.ts';
import { smallChange, type Step } from './workloads.ts';

/** Upper bound on polling iterations, on top of every deadline. */
const MAX_POLLS = 2_000_000;

export interface StepMeasurement {
  ms: number;
  /** Everything on loopback: for distsync both hops (client → hub → client). */
  wireBytes: number;
  /** distsync only: TCP payload on the busiest single client↔hub connection. */
  linkBytes?: number;
  /** Per destination, until its tree was seen matching (before any completion signal). */
  perDestinationMs: number[];
}

/** Every destination equals `expected` when hashed from scratch, or VERIFY_MISMATCH. */
export async function verifyAll(session: SyncSession, expected: Manifest): Promise<void> {
  for (const destination of session.destinations) {
    const diff = diffManifests(expected, await manifestOf(destination));
    if (diff !== undefined) throw new BenchError('VERIFY_MISMATCH', `${destination}: ${diff}`);
  }
}

interface TreesReached {
  observedAt: number;
  rx: number;
  /** When each destination (in session order) was first seen matching. */
  perDestination: number[];
}

/**
 * Poll every destination until it matches. The harness takes at most about a
 * quarter of a core (it shares two with the tools it times): after each pass
 * it sleeps three times as long as the pass took (5-50 ms).
 */
async function waitForTrees(
  session: SyncSession,
  expected: Manifest,
  watchers: readonly TreeWatcher[],
  wire: WireCounter,
  deadline: number,
): Promise<TreesReached> {
  const pending = new Set(watchers);
  let reached: TreesReached = { observedAt: 0, rx: Number.NaN, perDestination: watchers.map(() => Number.NaN) };
  let lastReason = '';
  for (let poll = 0; pending.size > 0; poll++) {
    if (Date.now() > deadline || poll > MAX_POLLS) {
      throw new BenchError('TIMEOUT', `${pending.size} destination(s) not in sync; last difference: ${lastReason}`);
    }
    await session.assertAlive();
    const started = performance.now();
    for (const watcher of [...pending]) {
      const result = await watcher.check(expected, () => wire.read());
      if (result.ok) {
        pending.delete(watcher);
        reached.perDestination[watchers.indexOf(watcher)] = result.observedAt;
        if (result.observedAt > reached.observedAt) reached = { ...reached, observedAt: result.observedAt, rx: result.mark };
      } else {
        lastReason = result.reason ?? '';
      }
    }
    if (pending.size > 0) await sleep(Math.min(50, Math.max(5, 3 * (performance.now() - started))));
  }
  return reached;
}

/**
 * Stage, apply and time one change until every destination is verified.
 * Time runs from just before the change to the moment the matching tree was
 * observed (or, if the tool's own completion signal came later, to that).
 * Wire bytes are counted up to the same moment.
 */
export async function measureStep(
  session: SyncSession,
  step: Step,
  stagingDir: string,
  wire: WireCounter,
  timeoutMs: number,
): Promise<StepMeasurement> {
  await rm(stagingDir, { recursive: true, force: true });
  await mkdir(stagingDir, { recursive: true });
  await step.stage(stagingDir);
  const before = await manifestOf(session.source);
  const expected = await step.expect(before, stagingDir, session.source);
  const watchers = session.destinations.map((d) => new TreeWatcher(d));
  // Prime the hash caches untimed, so the timed loop only hashes what changes.
  await Promise.all(watchers.map((w) => w.check(before, async () => 0)));

  const deadline = Date.now() + timeoutMs;
  const linkOwner = session.linkOwnerPid;
  const links0 = linkOwner === undefined ? undefined : await socketCounters(linkOwner);
  const rx0 = await wire.read();
  const t0 = performance.now();
  await step.apply(session.source, stagingDir);
  await session.propagate();
  const reached = await waitForTrees(session, expected, watchers, wire, deadline);
  const links1 = linkOwner === undefined ? undefined : await socketCounters(linkOwner);
  const confirmedAt = await confirmAfter(session, reached.observedAt, deadline);
  await verifyAll(session, expected);
  const measurement: StepMeasurement = {
    ms: Math.max(reached.observedAt, confirmedAt) - t0,
    wireBytes: reached.rx - rx0,
    perDestinationMs: reached.perDestination.map((at) => at - t0),
  };
  const linkBytes = links0 === undefined || links1 === undefined ? undefined : busiestLinkBytes(links0, links1);
  if (linkBytes !== undefined) measurement.linkBytes = linkBytes;
  return measurement;
}

/**
 * Ask the tool's own completion signal. If it already holds at the first
 * query it is taken to have held when the tree was observed; otherwise the
 * time it first held is used.
 */
async function confirmAfter(session: SyncSession, observedAt: number, deadline: number): Promise<number> {
  const polls = await session.confirm(deadline);
  return polls <= 1 ? observedAt : performance.now();
}

/** Sync a step without timing it (warm-up, baselines). */
export async function syncUntimed(session: SyncSession, step: Step, stagingDir: string, wire: WireCounter, timeoutMs: number): Promise<void> {
  await measureStep(session, step, stagingDir, wire, timeoutMs);
}

export interface LatencyMeasurement {
  samplesMs: number[];
  wireBytes: number;
}

/**
 * True if `path` holds exactly `content`. A synchronous stat first, the bytes
 * only once the size is right: with the promise readFile (open, fstat, read,
 * close on the thread pool, an exception per missing file) the bench's own CPU
 * during the 20 fan-out changes was 403 ms, now 239 ms, CPU the 50 clients share.
 */
function holds(path: string, content: Buffer): boolean {
  try {
    if (statSync(path, { throwIfNoEntry: false })?.size !== content.length) return false;
    return readFileSync(path).equals(content);
  } catch {
    return false; // replaced or removed between the stat and the read
  }
}

/**
 * Poll one file on every destination until each has exactly `content`, in a
 * single loop of cheap checks (50 concurrent 1 ms pollers would steal the CPU the clients
 * need). Returns, per destination, when it was first seen complete.
 */
async function waitForFileEverywhere(
  paths: readonly string[],
  content: Buffer,
  deadline: number,
  session: SyncSession,
): Promise<number[]> {
  const seenAt = new Array<number>(paths.length).fill(Number.NaN);
  let pending = paths.length;
  for (let poll = 0; poll < MAX_POLLS; poll++) {
    const started = performance.now();
    for (let i = 0; i < paths.length; i++) {
      if (!Number.isNaN(seenAt[i] as number)) continue;
      if (holds(paths[i] as string, content)) {
        seenAt[i] = performance.now();
        pending--;
      }
    }
    if (pending === 0) return seenAt;
    if (Date.now() > deadline) break;
    if (poll % 200 === 0) await session.assertAlive();
    await sleep(Math.min(20, Math.max(1, performance.now() - started)));
  }
  throw new BenchError('TIMEOUT', `${pending} of ${paths.length} destination(s) never got the change`);
}

export interface ChangeLoopOptions {
  seed: number;
  label: 'latency' | 'fanout';
  changes: number;
  /** Pause between changes so each is measured on a quiet system. */
  gapMs: number;
  perChangeTimeoutMs: number;
}

export interface ChangeLoopResult {
  /** Per change: time until every destination had it. */
  allAppliedMs: number[];
  /** Per change and destination: time until that destination had it. */
  perDestinationMs: number[];
  wireBytes: number;
}

/**
 * Write `changes` new 1 KiB files on the source, one at a time, and time each
 * until it is complete on every destination. Files go into warmup/, which
 * already exists everywhere, so no directory creation is measured.
 */
export async function changeLoop(session: SyncSession, wire: WireCounter, opts: ChangeLoopOptions): Promise<ChangeLoopResult> {
  const allAppliedMs: number[] = [];
  const perDestinationMs: number[] = [];
  const rx0 = await wire.read();
  for (let i = 0; i < opts.changes; i++) {
    const content = smallChange(opts.seed, opts.label, i);
    const rel = join('warmup', `${opts.label}-${i}.bin`);
    const deadline = Date.now() + opts.perChangeTimeoutMs;
    const t0 = performance.now();
    await writeFile(join(session.source, rel), content);
    await session.propagate();
    const paths = session.destinations.map((d) => join(d, rel));
    const seen = await waitForFileEverywhere(paths, content, deadline, session);
    const times = seen.map((at) => at - t0);
    perDestinationMs.push(...times);
    allAppliedMs.push(Math.max(...times));
    await sleep(opts.gapMs);
  }
  const wireBytes = (await wire.read()) - rx0;
  // Final proof: full trees identical, not just the files we polled.
  await verifyAll(session, await manifestOf(session.source));
  return { allAppliedMs, perDestinationMs, wireBytes };
}
