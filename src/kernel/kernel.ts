import { PhysMem, PG_ANON, PG_LRU, ZERO_PFN, PG_SWAPCACHE, PG_HEAD } from './frames.js';
import { SwapDevice } from './swap.js';
import { Mm } from './mm.js';
import { AnonVma } from './rmap.js';
import { FileObj } from './file.js';
import { PageTable } from './pagetable.js';
import { isPresent, PTE_SPECIAL, PTE_KIND_MASK, PTE_SWAP, type PteValue } from './pte.js';
import type { KEvent } from './events.js';
import { Invariants } from './invariants.js';
import { lruDel, Lru } from './lru.js';
import { bug, type HasAttached, type Op, type Pfn, type Value, asPfn } from './types.js';

export interface KernelConfig {
  /** `memory N frames`: allocatable frames (the zero page and page tables not counted). */
  readonly frames: number;
  /** `swap N slots`. */
  readonly swapSlots: number;
  /** Record events (off for benchmarks). */
  readonly trace: boolean;
  /** Check invariants after every step. */
  readonly invariants: boolean;
  /** Stop with EventLimit when the trace would hold more events than this (none: no limit). */
  readonly eventLimit?: number;
}

/**
 * A run recorded more events than its `eventLimit`: the work of a spec beyond what a run
 * should do (millions of page operations). Not a simulator bug: the interpreter reports it
 * at the statement that went past the limit.
 */
export class EventLimit extends Error {
  constructor(readonly limit: number) { super(`more than ${limit} events`); }
}

/**
 * Direct reclaim, installed by src/kernel/reclaim.ts so that the allocator does not
 * import the reclaim path (which itself allocates nothing).
 */
export type DirectReclaim = (k: Kernel, want: number, task: number) => Op<number>;

/**
 * The simulated machine: physical memory, swap, address spaces, files, the anon_vma
 * registry, the event log and the invariant checker. Kernel operations are functions
 * in the other modules of src/kernel that take the Kernel first, as Linux functions
 * take their mm or page.
 */
export class Kernel implements HasAttached {
  readonly mem: PhysMem;
  readonly swap: SwapDevice;
  readonly mms = new Map<number, Mm>();
  readonly files: FileObj[] = [];
  readonly anonVmas: (AnonVma | undefined)[] = [undefined];
  readonly events: KEvent[] = [];
  readonly check: Invariants;
  readonly lru = new Lru();
  /** KSM stable pages: the (anon_vma, index) pairs that map them (rmap_items). */
  readonly ksmRmap = new Map<number, { anonVma: number; index: number }[]>();
  /** PTE reference counts the checker sees (non-special present PTEs per pfn). */
  directReclaim: DirectReclaim | undefined;
  /** Per-kernel state of other modules (see HasAttached). */
  readonly attached = new Map<object, unknown>();
  private nextAnonVma = 1;

  constructor(readonly config: KernelConfig) {
    this.mem = new PhysMem(config.frames);
    this.swap = new SwapDevice(config.swapSlots);
    this.check = new Invariants(this, config.invariants);
    this.eventLimit = config.eventLimit ?? Infinity;
  }

  /**
   * Whether operations stop at their named steps (`yield 'clear'`). A race or an exploration
   * needs the steps; a sequential run does not, and runs each operation straight through
   * (runToCompletion turns this off), checking the invariants at every step all the same.
   */
  stepping = true;

  /**
   * Marks the end of a named atomic step. Returns true when the caller must yield the step
   * (`if (k.step('clear')) yield 'clear';`); otherwise the invariants are checked here.
   */
  step(name: string): boolean {
    if (this.stepping) return true;
    void name;
    this.check.afterStep();
    return false;
  }

  emit(ev: KEvent): void {
    if (this.tracing) this.record(ev);
  }
  /** Appends an event to the trace, within the run's eventLimit. */
  private record(ev: KEvent): void {
    if (this.events.push(ev) > this.eventLimit) throw new EventLimit(this.eventLimit);
  }
  private readonly eventLimit: number;
  /** Whether events are recorded: hot paths test it before building an event. */
  get tracing(): boolean { return this.config.trace; }

  createMm(id: number): Mm {
    if (this.mms.has(id)) bug(`Kernel.createMm: mm ${id} exists`);
    const mm = new Mm(id);
    this.mms.set(id, mm);
    return mm;
  }

  newAnonVma(parent: AnonVma | undefined): AnonVma {
    const av = new AnonVma(this.nextAnonVma++, parent);
    this.anonVmas[av.id] = av;
    return av;
  }

  newFile(name: string, pages: number, backing: Value[], shmem: boolean, initial?: (index: number) => Value): FileObj {
    const f = new FileObj(this.files.length + 1, name, pages, backing, shmem, initial);
    this.files[f.id] = f;
    return f;
  }
  fileById(id: number): FileObj {
    return this.files[id] ?? bug(`Kernel.fileById: no file ${id}`);
  }

  /**
   * Sets the PTE at `addr` of `mm`, recording the change for the trace and the checker.
   * Every PTE change goes through here. Linux: set_pte_at(), ptep_get_and_clear()
   */
  setPte(mm: Mm, addr: number, pfn: number, bits: number): void {
    const page = mm.pt.ptePage(addr, true)!;
    const i = PageTable.pteIndex(addr);
    const oldPfn = page.pfn[i]!, oldBits = page.bits[i]!;
    if (oldBits === 0 && bits !== 0) page.used++;
    else if (oldBits !== 0 && bits === 0) page.used--;
    page.pfn[i] = pfn;
    page.bits[i] = bits;
    this.check.pteChanged(mm, addr, oldPfn, oldBits, pfn, bits);
    if (this.config.trace) this.record({ e: 'pte', mm: mm.id, addr, old: { pfn: oldPfn, bits: oldBits }, new: { pfn, bits } });
  }

  /** Sets or clears the huge PMD at `addr` (2 MiB aligned). Linux: set_pmd_at() */
  setPmd(mm: Mm, addr: number, pfn: number, bits: number): PteValue {
    const pmd = mm.pt.pmdPage(addr, true)!;
    const mi = PageTable.pmdIndex(addr);
    const old: PteValue = { pfn: pmd.hugePfn[mi]!, bits: pmd.hugeBits[mi]! };
    pmd.setHuge(mi, pfn, bits);
    this.check.pmdChanged(mm, addr, old.pfn, old.bits, pfn, bits);
    if (this.config.trace) this.record({ e: 'pte', mm: mm.id, addr, old, new: { pfn, bits }, huge: true });
    return old;
  }

  /**
   * Allocates a frame, reclaiming first when none is free (direct reclaim); undefined
   * means out of memory even after reclaim. Linux: alloc_pages() → __alloc_pages_slowpath()
   */
  *allocPage(value: Value, what: string, task: number): Op<Pfn | undefined> {
    let pfn = this.mem.alloc(value);
    if (pfn === undefined && this.directReclaim) {
      yield* this.directReclaim(this, 32, task);
      pfn = this.mem.alloc(value);
    }
    if (pfn !== undefined) {
      this.mem.markTransient(pfn);
      this.check.frameAllocated(pfn);
      if (this.config.trace) this.record({ e: 'alloc', pfn, what });
    }
    return pfn;
  }

  /**
   * The allocator's fast path: a free frame without reclaim, or undefined (then the caller
   * takes the slow path, `yield* allocPage`, which may reclaim). Linux: get_page_from_freelist()
   */
  tryAllocPage(value: Value, what: string): Pfn | undefined {
    return this.allocPageNoReclaim(value, what);
  }

  /** Allocation that never reclaims (GFP_NOWAIT / atomic paths). */
  allocPageNoReclaim(value: Value, what: string): Pfn | undefined {
    const pfn = this.mem.alloc(value);
    if (pfn !== undefined) {
      this.mem.markTransient(pfn);
      this.check.frameAllocated(pfn);
      if (this.config.trace) this.record({ e: 'alloc', pfn, what });
    }
    return pfn;
  }

  /** Takes a reference on a page. Linux: get_page() / folio_get() */
  getPage(pfn: number): void {
    if (pfn === ZERO_PFN) return;
    this.mem.refcount[this.mem.headOf(pfn)]!++;
    this.check.frameTouched(pfn);
  }

  /** Drops a reference, freeing the page at zero. Linux: put_page() / folio_put() */
  putPage(pfn: number): void {
    if (pfn === ZERO_PFN) return;
    const head = this.mem.headOf(pfn);
    this.mem.settle(head);
    const rc = --this.mem.refcount[head]!;
    this.check.frameTouched(head);
    if (rc < 0) {
      this.check.refcountUnderflow(head);
      this.mem.refcount[head] = 0;
      return;
    }
    if (rc === 0) this.freePage(head);
  }

  /** Returns a page whose last reference is gone to the allocator. Linux: __folio_put() */
  freePage(pfn: number): void {
    const flags = this.mem.has(pfn, PG_LRU | PG_HEAD) ? this.mem.flags[pfn]! : 0;
    if ((flags & PG_LRU) !== 0) lruDel(this, pfn);
    const n = (flags & PG_HEAD) !== 0 ? 512 : 1;
    for (let i = n - 1; i >= 0; i--) {
      this.check.frameFreed(pfn + i);
      this.mem.freeFrame(pfn + i);
    }
    if (this.config.trace) this.record({ e: 'free', pfn });
  }

  /** Whether a present PTE maps a page with a struct page (vm_normal_page() != NULL). */
  isNormalMapping(pte: PteValue): boolean {
    return isPresent(pte.bits) && (pte.bits & PTE_SPECIAL) === 0;
  }

  isSwapPte(bits: number): boolean { return (bits & PTE_KIND_MASK) === PTE_SWAP; }
  isAnonPage(pfn: number): boolean { return this.mem.has(pfn, PG_ANON); }
  inSwapCache(pfn: number): boolean { return this.mem.has(pfn, PG_SWAPCACHE); }
  pfnOf(n: number): Pfn { return asPfn(n); }
}
