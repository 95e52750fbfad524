import { int32Array, uint16Array } from './slab.js';

/**
 * A map from small non-negative integers (pfns, swap slots) to small non-negative integers,
 * kept in a typed array that grows on first use: a Map's interface without a Map's cost
 * on hot paths (the swap cache, isolation pins). Value v is stored as v + 1; 0 is "absent".
 */
export class IndexMap<V extends number = number> {
  private a: Int32Array | Uint16Array;
  private n = 0;

  constructor(private readonly wide: boolean, private readonly limit: number) {
    this.a = wide ? int32Array(0) : uint16Array(0);
  }

  get size(): number { return this.n; }

  get(key: number): V | undefined {
    const v = key < this.a.length ? this.a[key]! : 0;
    return v === 0 ? undefined : (v - 1) as V;
  }
  has(key: number): boolean { return key < this.a.length && this.a[key] !== 0; }

  set(key: number, value: V): this {
    if (key >= this.a.length) this.grow(key);
    if (this.a[key] === 0) this.n++;
    this.a[key] = value + 1;
    return this;
  }

  delete(key: number): boolean {
    if (key >= this.a.length || this.a[key] === 0) return false;
    this.a[key] = 0;
    this.n--;
    return true;
  }

  /** Entries in key order (for final states, state hashes and tests). */
  *entries(): Generator<[number, V]> {
    for (let i = 0; i < this.a.length; i++) if (this.a[i] !== 0) yield [i, (this.a[i]! - 1) as V];
  }
  [Symbol.iterator](): Generator<[number, V]> { return this.entries(); }

  private grow(key: number): void {
    let cap = Math.max(64, this.a.length * 2);
    while (cap <= key) cap *= 2;
    cap = Math.max(key + 1, Math.min(cap, this.limit + 1));
    const b = this.wide ? int32Array(cap) : uint16Array(cap);
    b.set(this.a);
    this.a = b;
  }
}
