import { PG_ALLOCATED, PG_HEAD, PG_RESERVED, PG_SWAPCACHE, PG_TAIL, PG_TRANSIENT } from './frames.js';
import { int32Array } from './slab.js';
import { isPresent, PTE_SPECIAL, PTE_KIND_MASK, PTE_DEVICE } from './pte.js';

/** A present PTE or a device-private entry: both map a frame (device-private pages keep mapcount). */
const mapsFrame = (bits: number): boolean => isPresent(bits) || (bits & PTE_KIND_MASK) === PTE_DEVICE;
import type { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import type { ViolationKind } from './events.js';

/** A broken invariant, keyed so that a state that stays broken is reported once. */
export interface Violation {
  readonly kind: ViolationKind;
  readonly key: string;
  readonly detail: string;
}

/** A PTE the last step changed. */
export interface TouchedPte {
  readonly mm: Mm;
  readonly addr: number;
}

/**
 * A driver's invariants (the mirror's coherence), checked over the PTEs a step touched.
 * It returns the violations that hold now among the keys it owns, and which keys it
 * re-examined (so that a repaired state stops being "active").
 */
export interface InvariantHook {
  readonly name: string;
  check(k: Kernel, touched: readonly TouchedPte[]): { readonly examined: readonly string[]; readonly broken: readonly Violation[] };
  /** The hook's own record of what is broken (see Invariants.save), if it keeps one. */
  save?(): unknown;
  restore?(saved: unknown): void;
}

/** What Invariants.save returns: the broken invariants, and each hook's record. */
export interface CheckerState {
  readonly active: readonly Violation[];
  readonly hooks: readonly unknown[] | undefined;
}
const NOTHING_BROKEN: CheckerState = Object.freeze({ active: Object.freeze([]), hooks: undefined });

/**
 * kernel-model.md §9, checked after every atomic step over what the step touched, so
 * the cost follows the step, not the size of the state. The checker keeps its own
 * count of the PTEs mapping each frame (from the PTE change log) and compares it with
 * the frame's mapcount and refcount:
 *   mapcount = non-special present PTEs (PMDs for a THP) mapping the frame
 *   refcount = those PTEs + swap cache + page cache + pins and transient references
 *   no present PTE, special or not, maps a free frame (use-after-free)
 */
export class Invariants {
  /** Non-special present PTE/PMD mappings per frame (THP: on the head). */
  private ptRefs = int32Array(64);
  /** Special PTEs (no struct page reference) mapping allocatable frames. */
  private readonly specialRefs = new Map<number, number>();
  // What the current step touched: frames, and PTEs as parallel arrays (no object per PTE
  // on the hot path). Counts mark the live prefix; the arrays are reused from step to step.
  private touchedPfns = int32Array(64);
  private nPfns = 0;
  private touchedMms: Mm[] = [];
  private touchedAddrs: number[] = [];
  private nPtes = 0;
  /** Broken now, by key. */
  private readonly active = new Map<string, Violation>();
  /** Reported since the interpreter last took them. */
  private fresh: Violation[] = [];
  readonly hooks: InvariantHook[] = [];
  /**
   * While set, steps are not checked (the PTE accounting goes on): an exploration replaying
   * a path it has already checked sets it, then restores the state it saved at the path's
   * end (see save()).
   */
  paused = false;

  constructor(private readonly k: Kernel, readonly enabled: boolean) {}

  /**
   * What is broken now, for restore(). The checks are functions of the state, so a replica
   * brought to the same state unchecked and given this record is as if checked all along.
   */
  save(): CheckerState {
    let hooks: unknown[] | undefined;
    this.hooks.forEach((h, i) => {
      const x = h.save?.();
      if (x !== undefined) (hooks ??= new Array<unknown>(this.hooks.length))[i] = x;
    });
    if (this.active.size === 0 && hooks === undefined) return NOTHING_BROKEN;
    return { active: [...this.active.values()], hooks };
  }
  restore(s: CheckerState): void {
    this.active.clear();
    for (const v of s.active) this.active.set(v.key, v);
    this.hooks.forEach((h, i) => h.restore?.(s.hooks?.[i]));
    this.fresh = [];
    this.nPfns = 0;
    this.nPtes = 0;
  }

  private refsOf(pfn: number): number {
    return pfn < this.ptRefs.length ? this.ptRefs[pfn]! : 0;
  }
  private addRef(pfn: number, d: number): void {
    if (pfn >= this.ptRefs.length) {
      let n = this.ptRefs.length * 2;
      while (n <= pfn) n *= 2;
      n = Math.max(pfn + 1, Math.min(n, this.k.mem.limit + 1));
      const b = int32Array(n); b.set(this.ptRefs); this.ptRefs = b;
    }
    this.ptRefs[pfn]! += d;
  }

  /** Every PTE change comes through Kernel.setPte. */
  pteChanged(mm: Mm, addr: number, oldPfn: number, oldBits: number, pfn: number, bits: number): void {
    this.account(oldPfn, oldBits, -1);
    this.account(pfn, bits, +1);
    if (!this.enabled) return;
    // checkPte only judges entries that map a frame; a cleared or swap entry matters only
    // to the drivers' hooks (a mirror of that address must be gone too).
    if (mapsFrame(bits) || this.hooks.length > 0) {
      this.touchedMms[this.nPtes] = mm;
      this.touchedAddrs[this.nPtes++] = addr;
    }
    if (mapsFrame(oldBits) && oldPfn !== 0) this.touchPfn(this.k.mem.headOf(oldPfn));
    if (mapsFrame(bits) && pfn !== 0) this.touchPfn(this.k.mem.headOf(pfn));
  }

  pmdChanged(mm: Mm, addr: number, oldPfn: number, oldBits: number, pfn: number, bits: number): void {
    this.pteChanged(mm, addr, oldPfn, oldBits, pfn, bits);
  }

  private account(pfn: number, bits: number, d: number): void {
    if (!mapsFrame(bits) || pfn === 0) return;
    if ((bits & PTE_SPECIAL) !== 0) {
      const v = (this.specialRefs.get(pfn) ?? 0) + d;
      if (v === 0) this.specialRefs.delete(pfn); else this.specialRefs.set(pfn, v);
    } else {
      this.addRef(this.k.mem.headOf(pfn), d);
    }
  }

  frameAllocated(pfn: number): void { if (this.enabled) this.touchPfn(pfn); }
  frameTouched(pfn: number): void { if (this.enabled) this.touchPfn(this.k.mem.headOf(pfn)); }
  /** Notes a frame to check after this step (consecutive repeats are checked once). */
  private touchPfn(pfn: number): void {
    const n = this.nPfns;
    if (n > 0 && this.touchedPfns[n - 1] === pfn) return;
    if (n === this.touchedPfns.length) this.growTouched();
    this.touchedPfns[n] = pfn;
    this.nPfns = n + 1;
  }
  private growTouched(): void {
    const b = int32Array(this.touchedPfns.length * 2);
    b.set(this.touchedPfns);
    this.touchedPfns = b;
  }

  /** A frame returns to the allocator: nothing may map it any more. */
  frameFreed(pfn: number): void {
    if (!this.enabled) return;
    if (this.refsOf(pfn) > 0 || (this.specialRefs.size > 0 && this.specialRefs.has(pfn))) {
      this.raise({ kind: 'use-after-free', key: `uaf:${pfn}`,
        detail: `pfn ${pfn} freed while ${this.refsOf(pfn) + (this.specialRefs.get(pfn) ?? 0)} PTE(s) still map it` });
    }
  }

  refcountUnderflow(pfn: number): void {
    if (!this.enabled) return;
    this.raise({ kind: 'refcount', key: `ref:${pfn}`, detail: `pfn ${pfn}: refcount dropped below zero (put_page without a reference)` });
  }

  /** Violations reported since the last call (the interpreter attributes them to a statement). */
  takeFresh(): Violation[] {
    const f = this.fresh;
    this.fresh = [];
    return f;
  }
  /** Currently broken invariants. */
  get broken(): readonly Violation[] { return [...this.active.values()]; }

  /** Raises a violation found outside the step checks (livelock, deadlock). */
  raise(v: Violation): void {
    if (this.active.has(v.key)) return;
    this.active.set(v.key, v);
    this.fresh.push(v);
    this.k.emit({ e: 'violation', kind: v.kind, detail: v.detail });
  }
  /** A broken state was repaired (or its owner went away). */
  resolve(key: string): void { this.active.delete(key); }

  /** Runs after every atomic step. */
  afterStep(): void {
    if (!this.enabled) return;
    const nPfns = this.nPfns, nPtes = this.nPtes;
    if (nPfns === 0 && nPtes === 0) return;
    if (this.paused) { this.nPfns = 0; this.nPtes = 0; return; }
    // Reset first: the checks below touch nothing, but a hook may raise violations.
    this.nPfns = 0;
    this.nPtes = 0;
    const pfns = this.touchedPfns, mms = this.touchedMms, addrs = this.touchedAddrs;
    for (let i = 0; i < nPfns; i++) this.checkFrame(pfns[i]!);
    for (let i = 0; i < nPtes; i++) this.checkPte(mms[i]!, addrs[i]!);
    if (this.hooks.length === 0) return;
    const ptes: TouchedPte[] = [];
    for (let i = 0; i < nPtes; i++) ptes.push({ mm: mms[i]!, addr: addrs[i]! });
    for (const h of this.hooks) {
      const { examined, broken } = h.check(this.k, ptes);
      const now = new Set(broken.map((v) => v.key));
      for (const key of examined) if (!now.has(key)) this.active.delete(key);
      for (const v of broken) this.raise(v);
    }
  }

  private checkFrame(pfn: number): void {
    const m = this.k.mem;
    // Keys are built only when something is (or was) broken: the common case allocates nothing.
    const anyActive = this.active.size > 0;
    const flags = pfn < m.flags.length ? m.flags[pfn]! : 0;
    if ((flags & PG_ALLOCATED) === 0) {
      if (anyActive && this.refsOf(pfn) === 0 && !this.specialRefs.has(pfn)) this.active.delete(`uaf:${pfn}`);
      return;
    }
    if ((flags & (PG_RESERVED | PG_TAIL)) !== 0) return;
    if (anyActive) this.active.delete(`uaf:${pfn}`);
    const maps = this.refsOf(pfn);
    const expected = maps + this.otherRefs(pfn, flags);
    const mc = m.mapcount[pfn]!, rc = m.refcount[pfn]!;
    if (mc !== maps || rc !== expected) {
      this.raise({ kind: 'refcount', key: `ref:${pfn}`, detail: `pfn ${pfn}: refcount ${rc} mapcount ${mc}, but ${maps} PTE(s) map it` +
        (expected !== maps ? ` and ${expected - maps} other reference(s) exist` : '') });
    } else if (anyActive) {
      this.active.delete(`ref:${pfn}`);
    }
  }

  /** References other than PTEs: swap cache, page cache, pins and transient references. */
  private otherRefs(pfn: number, flags: number): number {
    const m = this.k.mem;
    let n = (flags & PG_TRANSIENT) !== 0 ? 1 : 0;
    if (m.pins.size > 0) n += m.pinCount(pfn);
    if ((flags & PG_SWAPCACHE) !== 0) n++;
    const owner = m.owner[pfn]!;
    if (owner < 0) {
      const f = this.k.files[-owner];
      if (f && f.cache.get(m.index[pfn]!) === pfn) n++;
    }
    return n;
  }

  private checkPte(mm: Mm, addr: number): void {
    const pte = mm.pteInto(addr, this.scratch);
    const pfn = pte.pfn;
    if (!mapsFrame(pte.bits) || pfn === 0) return;
    const m = this.k.mem;
    if ((m.flags[pfn]! & PG_ALLOCATED) === 0 && (m.flags[m.headOf(pfn)]! & PG_HEAD) === 0) {
      this.raise({ kind: 'use-after-free', key: `uaf:${pfn}`,
        detail: `mm ${mm.id} 0x${addr.toString(16)} maps pfn ${pfn}, which is free` });
    }
  }
  /** checkPte's read of a PTE (no allocation per touched PTE). */
  private readonly scratch = { pfn: 0, bits: 0 };
}
