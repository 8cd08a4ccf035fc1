import { createCipheriv, createHash } from 'node:crypto';

/**
 * Deterministic randomness from a seed. Two sources, for two jobs:
 * - `Prng` (xoshiro128**) for decisions: names, sizes, word choice.
 * - `RandomBytes` (AES-256-CTR keystream) for bulk incompressible data,
 *   because a JS PRNG loop would take seconds per 256 MiB while AES-CTR
 *   runs at GB/s and is just as reproducible.
 */
export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number, label: string) {
    // Derive the 128-bit state from seed+label so every workload gets an
    // independent stream and adding one workload never shifts another.
    const digest = createHash('sha256').update(`${seed}:${label}`).digest();
    this.s0 = digest.readUInt32LE(0);
    this.s1 = digest.readUInt32LE(4);
    this.s2 = digest.readUInt32LE(8);
    this.s3 = digest.readUInt32LE(12) | 1; // all-zero state would be stuck
  }

  /** Uniform uint32. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextU32() / 0x1_0000_0000;
  }

  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(0, items.length - 1)];
    if (item === undefined) throw new RangeError('pick from empty list');
    return item;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Reproducible incompressible bytes, generated in chunks of any size. */
export class RandomBytes {
  private readonly cipher;

  constructor(seed: number, label: string) {
    const key = createHash('sha256').update(`key:${seed}:${label}`).digest();
    const iv = createHash('sha256').update(`iv:${seed}:${label}`).digest().subarray(0, 16);
    this.cipher = createCipheriv('aes-256-ctr', key, iv);
  }

  next(length: number): Buffer {
    return this.cipher.update(Buffer.alloc(length));
  }
}
