import { bug, HPAGE_PMD_NR, type Pfn, asPfn, type Value, type SwapSlot } from './types.js';
import { float64Array, int32Array } from './slab.js';
import { IndexMap } from './indexmap.js';

/**
 * Physical memory: one `struct page` per frame, kept as parallel typed arrays so that a
 * mapped page costs a few dozen bytes of heap. Frame 0 is the zero page (reserved, never
 * freed, never counted); frames 1..limit are allocatable, lowest free first.
 *
 * Invariants (checked by src/kernel/invariants.ts):
 *   refcount = mapcount + (in swap cache) + (in page cache) + pins + transient refs
 *   mapcount = number of non-special present PTEs (or PMDs, for a THP head) mapping it
 */

/** Page flags (a subset of enum pageflags, include/linux/page-flags.h). */
export const PG_ALLOCATED = 1 << 0;
export const PG_ANON = 1 << 1;
export const PG_LRU = 1 << 2;
export const PG_ACTIVE = 1 << 3;
export const PG_REFERENCED = 1 << 4;
export const PG_DIRTY = 1 << 5;
export const PG_SWAPBACKED = 1 << 6;
export const PG_SWAPCACHE = 1 << 7;
export const PG_KSM = 1 << 8;
export const PG_LOCKED = 1 << 9;
export const PG_HEAD = 1 << 10;
export const PG_TAIL = 1 << 11;
export const PG_RESERVED = 1 << 12;
/** Taken off the LRU by reclaim or migration (isolate_lru_page). */
export const PG_ISOLATED = 1 << 13;
/** PG_anon_exclusive: the page is mapped by exactly one process, COW may reuse it. */
export const PG_ANON_EXCLUSIVE = 1 << 14;
/** Lazy-free (MADV_FREE): a clean anonymous page that reclaim may drop without swap. */
export const PG_LAZYFREE = 1 << 15;
/** A device-private page (dmirror's memory). */
export const PG_DEVICE_PRIVATE = 1 << 16;
export const PG_UPTODATE = 1 << 17;
/**
 * The allocation's own reference has not been handed to a mapping or a cache yet: the page
 * is in the hands of the operation that allocated it (counted by the checker as transient).
 */
export const PG_TRANSIENT = 1 << 18;

export const ZERO_PFN = asPfn(0);

/** The owner of a page for rmap: an anon_vma, or a file (page cache). */
export const OWNER_NONE = 0;

/** First capacity of the frame arrays: small, since explorations create many kernels. */
const GROW = 64;

export class PhysMem {
  /** Number of allocatable frames (`memory N frames`). */
  readonly limit: number;
  refcount: Int32Array;
  mapcount: Int32Array;
  flags: Int32Array;
  /** rmap owner: >0 anon_vma id, <0 minus the file id, 0 none. */
  owner: Int32Array;
  /** page->index: linear page index in the anon_vma or file. */
  index: Float64Array;
  /** LRU list links (one list per state, see src/kernel/lru.ts). */
  lruNext: Int32Array;
  lruPrev: Int32Array;
  /** The page's content. */
  value: Value[] = [];
  /** Swap slot of a page in the swap cache (page->private). */
  readonly swapOf: IndexMap<SwapSlot>;
  /** Extra references: get_user_pages pins, references an operation holds (isolation, migration). */
  readonly pins: IndexMap;
  private capacity = 0;
  private freeHint = 1;
  used = 0;

  constructor(limit: number) {
    this.limit = limit;
    this.swapOf = new IndexMap<SwapSlot>(true, limit);
    this.pins = new IndexMap(false, limit);
    this.refcount = new Int32Array(0);
    this.mapcount = new Int32Array(0);
    this.flags = new Int32Array(0);
    this.owner = new Int32Array(0);
    this.index = new Float64Array(0);
    this.lruNext = new Int32Array(0);
    this.lruPrev = new Int32Array(0);
    this.ensure(1);
    this.flags[0] = PG_ALLOCATED | PG_RESERVED;
    this.refcount[0] = 1;
    this.value[0] = 0;
  }

  /** Grows the arrays to hold frame `pfn`: memory grows with use, not with `limit`. */
  private ensure(pfn: number): void {
    if (pfn < this.capacity) return;
    let cap = Math.max(GROW, this.capacity * 2);
    while (cap <= pfn) cap *= 2;
    cap = Math.min(cap, this.limit + 1);
    if (cap <= pfn) bug(`PhysMem.ensure: pfn ${pfn} beyond memory`);
    const grow32 = (a: Int32Array) => { const b = int32Array(cap); b.set(a); return b; };
    this.refcount = grow32(this.refcount);
    this.mapcount = grow32(this.mapcount);
    this.flags = grow32(this.flags);
    this.owner = grow32(this.owner);
    this.lruNext = grow32(this.lruNext);
    this.lruPrev = grow32(this.lruPrev);
    const idx = float64Array(cap); idx.set(this.index); this.index = idx;
    // Sized with the frames (no growth slack) and packed: one slot per frame.
    const values: Value[] = new Array<Value>(cap).fill(0);
    for (let i = 0; i < this.value.length; i++) values[i] = this.value[i]!;
    this.value = values;
    this.capacity = cap;
  }

  get free(): number { return this.limit - this.used; }
  /** Number of frame slots in the arrays (the highest pfn ever used + 1, rounded). */
  get span(): number { return this.capacity; }

  isAllocated(pfn: number): boolean {
    return pfn < this.capacity && (this.flags[pfn]! & PG_ALLOCATED) !== 0;
  }
  has(pfn: number, flag: number): boolean {
    return pfn < this.capacity && (this.flags[pfn]! & flag) !== 0;
  }
  set(pfn: number, flag: number): void { this.flags[pfn]! |= flag; }
  clear(pfn: number, flag: number): void { this.flags[pfn]! &= ~flag; }

  /**
   * Allocates the lowest free frame with refcount 1, or returns undefined when memory
   * is exhausted (the caller reclaims and retries: __alloc_pages_slowpath).
   * Linux: __alloc_pages() (lowest-first is mmspec's deterministic choice)
   */
  alloc(value: Value): Pfn | undefined {
    if (this.used >= this.limit) return undefined;
    let pfn = this.freeHint;
    while (pfn <= this.limit && pfn < this.capacity && (this.flags[pfn]! & PG_ALLOCATED) !== 0) pfn++;
    if (pfn > this.limit) return undefined;
    this.ensure(pfn);
    this.freeHint = pfn + 1;
    this.initFrame(pfn, value);
    return asPfn(pfn);
  }

  /**
   * Allocates 512 naturally aligned contiguous frames as a THP (head + tails), or
   * undefined if no aligned free block exists. Linux: alloc_pages(GFP_TRANSHUGE, HPAGE_PMD_ORDER)
   */
  allocHuge(values: readonly Value[]): Pfn | undefined {
    if (this.limit - this.used < HPAGE_PMD_NR) return undefined;
    for (let head = HPAGE_PMD_NR; head + HPAGE_PMD_NR - 1 <= this.limit; head += HPAGE_PMD_NR) {
      let free = true;
      for (let i = 0; i < HPAGE_PMD_NR && free; i++) if (this.isAllocated(head + i)) free = false;
      if (!free) continue;
      this.ensure(head + HPAGE_PMD_NR - 1);
      for (let i = 0; i < HPAGE_PMD_NR; i++) {
        this.initFrame(head + i, values[i] ?? 0);
        this.flags[head + i]! |= i === 0 ? PG_HEAD : PG_TAIL;
        if (i > 0) this.refcount[head + i] = 0;
      }
      return asPfn(head);
    }
    return undefined;
  }

  private initFrame(pfn: number, value: Value): void {
    this.flags[pfn] = PG_ALLOCATED;
    this.refcount[pfn] = 1;
    this.mapcount[pfn] = 0;
    this.owner[pfn] = OWNER_NONE;
    this.index[pfn] = 0;
    this.lruNext[pfn] = 0;
    this.lruPrev[pfn] = 0;
    this.value[pfn] = value;
    this.used++;
  }

  /** Returns a frame to the free pool. Linux: free_unref_page() */
  freeFrame(pfn: number): void {
    if (pfn === 0) bug('PhysMem.freeFrame: freeing the zero page');
    if (!this.isAllocated(pfn)) bug(`PhysMem.freeFrame: pfn ${pfn} is already free`);
    this.flags[pfn] = 0;
    this.refcount[pfn] = 0;
    this.mapcount[pfn] = 0;
    this.owner[pfn] = 0;
    // The content stays until the frame is reused (no init_on_free): a stale mapping of a
    // freed frame reads what was there, as it would on Linux.
    this.swapOf.delete(pfn);
    this.pins.delete(pfn);
    this.used--;
    if (pfn < this.freeHint) this.freeHint = pfn;
  }

  /** The head of the compound page containing `pfn` (itself for a small page). */
  headOf(pfn: number): number {
    return (this.flags[pfn]! & PG_TAIL) !== 0 ? pfn - (pfn % HPAGE_PMD_NR) : pfn;
  }
  isHuge(pfn: number): boolean {
    return (this.flags[pfn]! & (PG_HEAD | PG_TAIL)) !== 0;
  }
  pinCount(pfn: number): number { return this.pins.get(pfn) ?? 0; }
  transientCount(pfn: number): number { return (this.flags[pfn]! & PG_TRANSIENT) !== 0 ? 1 : 0; }
  /** A fresh page's reference belongs to the operation that allocated it. */
  markTransient(pfn: number): void { this.flags[pfn]! |= PG_TRANSIENT; }
  /** The allocation's reference now belongs to a mapping or a cache. */
  settle(pfn: number): boolean {
    if ((this.flags[pfn]! & PG_TRANSIENT) === 0) return false;
    this.flags[pfn]! &= ~PG_TRANSIENT;
    return true;
  }
  addPin(pfn: number, n: number): void {
    const v = (this.pins.get(pfn) ?? 0) + n;
    if (v === 0) this.pins.delete(pfn); else this.pins.set(pfn, v);
    this.refcount[pfn]! += n;
  }
}
