import { mkdir, open, rename, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Sizes, WorkloadId } from './options.ts';
import { Prng, RandomBytes } from './prng.ts';
import { logLines, prose } from './text-gen.ts';
import { manifestOf, type Manifest } from './tree-verify.ts';
import { BenchError } from './errors.ts';

/**
 * A change to the source tree, split so that only the change itself is timed:
 * content is generated into a staging directory (same filesystem) first, the
 * expected result is computed before the clock starts, and `apply` is a
 * rename or a small write.
 */
export interface Step {
  /** Untimed: generate content outside the synced tree. */
  stage(stagingDir: string): Promise<void>;
  /** Untimed: the manifest the destination must reach, from the one before the change. */
  expect(before: Manifest, stagingDir: string, sourceDir: string): Promise<Manifest>;
  /** Timed: the filesystem change on the source side. */
  apply(sourceDir: string, stagingDir: string): Promise<void>;
}

export interface TreeWorkload {
  id: Exclude<WorkloadId, 'latency' | 'fanout'>;
  title: string;
  /** Synced before measuring and not timed (e.g. the large file before it is edited). */
  baseline: Step | undefined;
  change: Step;
  /** File data bytes that the change introduces (throughput and compression ratios). */
  payloadBytes: number;
}

const MIB = 1 << 20;
const LARGE_DIR = 'large';
const LARGE_FILE = `${LARGE_DIR}/big.bin`;

/** Move a generated directory from staging into the source tree, atomically. */
function moveIn(name: string): Step['apply'] {
  return async (sourceDir, stagingDir) => {
    await rename(join(stagingDir, name), join(sourceDir, name));
  };
}

/** Expected = before + everything staged under `name`. */
function expectAdded(name: string): Step['expect'] {
  return async (before, stagingDir) => {
    const added = await manifestOf(join(stagingDir, name));
    const result: Manifest = new Map(before);
    for (const [rel, entry] of added) result.set(`${name}/${rel}`, entry);
    return result;
  };
}

async function writeSmallFiles(dir: string, seed: number, count: number): Promise<number> {
  const rng = new Prng(seed, 'small-files');
  const bytes = new RandomBytes(seed, 'small-files');
  // About 30 files per directory, nested up to three levels deep.
  const dirs: string[] = [];
  const dirCount = Math.max(1, Math.ceil(count / 30));
  for (let i = 0; i < dirCount; i++) {
    const depth = rng.int(1, 3);
    const parts: string[] = [];
    for (let d = 0; d < depth; d++) parts.push(`d${rng.int(0, 9)}`);
    dirs.push(`${parts.join('/')}/g${i}`);
  }
  let total = 0;
  for (let i = 0; i < count; i++) {
    const size = rng.int(1024, 8192);
    const path = join(dir, rng.pick(dirs), `f${i}.bin`);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes.next(size));
    total += size;
  }
  return total;
}

async function writeLargeFile(path: string, seed: number, sizeBytes: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const bytes = new RandomBytes(seed, 'large');
  const handle = await open(path, 'w');
  try {
    for (let written = 0; written < sizeBytes; ) {
      const n = Math.min(4 * MIB, sizeBytes - written);
      await handle.write(bytes.next(n));
      written += n;
    }
  } finally {
    await handle.close();
  }
}

async function writeText(dir: string, seed: number, totalBytes: number): Promise<void> {
  const rng = new Prng(seed, 'text');
  const fileBytes = Math.min(2 * MIB, totalBytes);
  await mkdir(dir, { recursive: true });
  for (let i = 0, left = totalBytes; left > 0; i++) {
    const n = Math.min(fileBytes, left);
    const isLog = i % 2 === 0;
    await writeFile(join(dir, isLog ? `service-${i}.log` : `notes-${i}.txt`), isLog ? logLines(rng, n) : prose(rng, n));
    left -= n;
  }
}

/** SHA-256 of a file as it will be once `patch` is written at `offset`. */
async function hashWithPatch(path: string, offset: number, patch: Buffer): Promise<string> {
  const hash = createHash('sha256');
  let pos = 0;
  for await (const raw of createReadStream(path, { highWaterMark: MIB })) {
    const chunk = raw as Buffer;
    const start = Math.max(offset, pos);
    const end = Math.min(offset + patch.length, pos + chunk.length);
    if (start < end) patch.copy(chunk, start - pos, start - offset, end - offset);
    hash.update(chunk);
    pos += chunk.length;
  }
  return hash.digest('hex');
}

/**
 * Offset for the edit: near the middle, and odd, so it is aligned to no power
 * of two and no block or chunk boundary of any tool.
 */
export function editOffset(fileBytes: number, editBytes: number, seed: number): number {
  const rng = new Prng(seed, 'edit-offset');
  const middle = Math.floor(fileBytes / 2 - editBytes / 2);
  const jitter = rng.int(0, Math.max(0, Math.floor(fileBytes / 16)));
  const offset = Math.max(1, middle - jitter);
  return offset % 2 === 0 ? offset + 1 : offset;
}

/** One incompressible file of `bytes` in a new directory, staged and then moved in with one rename. */
export function largeFileStep(seed: number, bytes: number): Step {
  return {
    stage: (staging) => writeLargeFile(join(staging, LARGE_FILE), seed, bytes),
    expect: expectAdded(LARGE_DIR),
    apply: moveIn(LARGE_DIR),
  };
}

export function treeWorkloads(sizes: Sizes, seed: number): TreeWorkload[] {
  const largeBytes = sizes.largeMiB * MIB;
  const largeStep = largeFileStep(seed, largeBytes);
  const editAt = editOffset(largeBytes, sizes.editBytes, seed);
  const patch = new RandomBytes(seed, 'edit').next(sizes.editBytes);
  const renamedTo = 'moved/elsewhere/big.bin';

  return [
    {
      id: 'small-files',
      title: `${sizes.smallFiles} small files (1-8 KiB), initial sync`,
      baseline: undefined,
      change: {
        stage: async (staging) => void (await writeSmallFiles(join(staging, 'small'), seed, sizes.smallFiles)),
        expect: expectAdded('small'),
        apply: moveIn('small'),
      },
      // Mean of 1..8 KiB; the exact total is in the manifest, this is for ratios only.
      payloadBytes: sizes.smallFiles * 4608,
    },
    {
      id: 'large',
      title: `${sizes.largeMiB} MiB incompressible file, initial sync`,
      baseline: undefined,
      change: largeStep,
      payloadBytes: largeBytes,
    },
    {
      id: 'large-edit',
      title: `${(sizes.editBytes / MIB).toFixed(2)} MiB overwritten at offset ${editAt} of the large file`,
      baseline: largeStep,
      change: {
        stage: async () => undefined,
        expect: async (before, _staging, source) => {
          const result: Manifest = new Map(before);
          const sha256 = await hashWithPatch(join(source, LARGE_FILE), editAt, patch);
          result.set(LARGE_FILE, { size: largeBytes, sha256 });
          return result;
        },
        apply: async (source) => {
          const handle = await open(join(source, LARGE_FILE), 'r+');
          try {
            await handle.write(patch, 0, patch.length, editAt);
          } finally {
            await handle.close();
          }
        },
      },
      payloadBytes: sizes.editBytes,
    },
    {
      id: 'text',
      title: `${sizes.textMiB} MiB compressible text (logs and prose), initial sync`,
      baseline: undefined,
      change: {
        stage: (staging) => writeText(join(staging, 'text'), seed, sizes.textMiB * MIB),
        expect: expectAdded('text'),
        apply: moveIn('text'),
      },
      payloadBytes: sizes.textMiB * MIB,
    },
    {
      id: 'rename',
      title: `${sizes.largeMiB} MiB file renamed into another directory`,
      baseline: largeStep,
      change: {
        stage: async () => undefined,
        expect: async (before) => {
          const result: Manifest = new Map(before);
          const entry = result.get(LARGE_FILE);
          if (entry === undefined) throw new BenchError('VERIFY_MISMATCH', `baseline lacks ${LARGE_FILE}`);
          result.delete(LARGE_FILE);
          result.set(renamedTo, entry);
          return result;
        },
        apply: async (source) => {
          await mkdir(dirname(join(source, renamedTo)), { recursive: true });
          await rename(join(source, LARGE_FILE), join(source, renamedTo));
        },
      },
      payloadBytes: largeBytes,
    },
  ];
}

/** Tiny first sync of every session: proves all peers are up and connected. */
export function warmupStep(tag: string): Step {
  const rel = `warmup/${tag}.txt`;
  const content = Buffer.from(`warm-up ${tag}\n`);
  return {
    stage: async () => undefined,
    expect: async (before) => {
      const result: Manifest = new Map(before);
      result.set(rel, { size: content.length, sha256: createHash('sha256').update(content).digest('hex') });
      return result;
    },
    apply: async (source) => {
      await mkdir(join(source, 'warmup'), { recursive: true });
      await writeFile(join(source, rel), content);
    },
  };
}

/** Content of the i-th 1 KiB change for the latency and fan-out measurements. */
export function smallChange(seed: number, label: string, index: number): Buffer {
  return new RandomBytes(seed, `${label}:${index}`).next(1024);
}
