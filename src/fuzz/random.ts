/**
 * A small seeded generator (sfc32): a campaign is reproduced exactly from its seed, and one
 * scenario from (seed, index). Math.random is never used by the fuzzer.
 */
export class Rng {
  private a: number; private b: number; private c: number; private d: number;

  constructor(seed: number, stream = 0) {
    this.a = 0x9e3779b9; this.b = seed >>> 0; this.c = (seed / 0x100000000) >>> 0 ^ 0x85ebca6b; this.d = (stream >>> 0) ^ 0xc2b2ae35;
    for (let i = 0; i < 16; i++) this.u32();
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** An integer in [0, n). */
  int(n: number): number { return n <= 1 ? 0 : this.u32() % n; }
  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number { return lo + this.int(hi - lo + 1); }
  chance(p: number): boolean { return this.u32() / 0x100000000 < p; }
  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('Rng.pick: empty list');
    return xs[this.int(xs.length)]!;
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
