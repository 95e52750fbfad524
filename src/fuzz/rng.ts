/**
 * A small seeded PRNG for the fuzzer: sfc32 (Chris Doty-Humphrey's Small Fast Counting
 * generator, 128 bits of state), seeded from numbers through splitmix32, so that the same
 * (seed, stream) always gives the same sequence on every machine.
 */

/** splitmix32: a well-mixed 32-bit value from a 32-bit state step. */
function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** A generator for `seed` and, optionally, a stream number (e.g. a mutant's index). */
  constructor(seed: number, stream = 0) {
    const s = Math.trunc(seed) >>> 0;
    const hi = Math.trunc(seed / 2 ** 32) >>> 0;
    const t = Math.trunc(stream) >>> 0;
    this.a = splitmix32(s ^ 0x5bd1e995);
    this.b = splitmix32(hi + this.a);
    this.c = splitmix32(t ^ this.b);
    this.d = splitmix32(this.c + 0x27d4eb2f);
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** The next 32-bit unsigned value. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** An integer in [0, n) (n ≥ 1). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [lo, hi] inclusive. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** true with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick: no items');
    return items[this.int(items.length)]!;
  }

  /** One of the keys, chosen with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const keys = Object.keys(weights) as K[];
    let total = 0;
    for (const k of keys) total += weights[k];
    let x = this.int(total);
    for (const k of keys) { x -= weights[k]; if (x < 0) return k; }
    return keys[keys.length - 1]!;
  }
}
