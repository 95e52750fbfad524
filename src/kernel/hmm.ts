import type { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import { VM_IO, VM_PFNMAP, VM_READ, VM_WRITE } from './vma.js';
import {
  PTE_KIND_MASK, PTE_NONE, PTE_PRESENT, PTE_SWAP, PTE_MIGRATION, PTE_DEVICE, PTE_WRITE, PTE_SPECIAL,
  PTE_PROTNONE, PMD_HUGE,
} from './pte.js';
import { ZERO_PFN } from './frames.js';
import { handleMmFault } from './fault.js';
import { kernelStackEnter, kernelStackLeave } from './stack.js';
import { pagefaultOutOfMemory } from './oom.js';
import { devicePrivateOwners } from './device.js';
import {
  mmuNotifierRegister, mmuNotifierUnregister, type IntervalSub, type MmuNotifierOps, type NotifierRange,
} from './notifier.js';
import { PAGE_SIZE, type Op } from './types.js';

/**
 * HMM: a device driver's view of a CPU page table (mm/hmm.c).
 *
 * hmm_range_fault() walks [start, end) of an mm and reports, per page, the pfn the CPU
 * maps and whether it may be written; pages the caller asks for (REQ_FAULT, REQ_WRITE)
 * are faulted in first with handle_mm_fault(). It gives no guarantee that the result is
 * still true when it returns: the caller must check its notifier sequence (or, with the
 * v5.2 API below, its range's `valid` flag) under its own lock before using it.
 */

/** Output flags of one entry (include/linux/hmm.h, enum hmm_pfn_flags). */
export const HMM_PFN_VALID = 1 << 0;
export const HMM_PFN_WRITE = 1 << 1;
export const HMM_PFN_ERROR = 1 << 2;
/** mmspec: the page is mapped by a PMD (Linux encodes the map order). */
export const HMM_PFN_PMD = 1 << 3;
/** Input flags: fault the page in / fault it in writable. */
export const HMM_PFN_REQ_FAULT = 1 << 4;
export const HMM_PFN_REQ_WRITE = 1 << 5;
const HMM_PFN_INPUT = HMM_PFN_REQ_FAULT | HMM_PFN_REQ_WRITE;

/** One entry of range->hmm_pfns: input request flags in, pfn and output flags out. */
export interface HmmPfn {
  pfn: number;
  flags: number;
}

/**
 * Linux: struct hmm_range. Exactly one of `notifier` (interval API, v5.5+) and `legacy`
 * (the v5.2 registered range) says whether the walk collided with an invalidation.
 */
export interface HmmRange {
  readonly mm: Mm;
  readonly start: number;
  readonly end: number;
  readonly notifier?: IntervalSub;
  /** The value mmu_interval_read_begin() returned. */
  readonly notifierSeq: number;
  readonly legacy?: HmmLegacyRange;
  /** One entry per page. */
  readonly hmmPfns: HmmPfn[];
  /** Flags requested for every page, and the mask applied to the per-page input flags. */
  readonly defaultFlags: number;
  readonly pfnFlagsMask: number;
  /** Device-private pages of this owner are reported, not faulted back to RAM. */
  readonly devPrivateOwner?: unknown;
}

/** What hmm_range_fault() returns besides 0 (Linux returns -errno). */
export type HmmErrno = 'EBUSY' | 'EFAULT' | 'EPERM';

/** Flags of a present PTE as HMM reports them. Linux: pte_to_hmm_pfn_flags() */
function pteToHmmPfnFlags(bits: number): number {
  if ((bits & PTE_KIND_MASK) !== PTE_PRESENT || (bits & PTE_PROTNONE) !== 0) return 0;
  return HMM_PFN_VALID | ((bits & PTE_WRITE) !== 0 ? HMM_PFN_WRITE : 0);
}

const NEED_FAULT = 1;
const NEED_WRITE_FAULT = 2;

/**
 * Whether the request needs a fault given what the CPU has (0, NEED_FAULT, or with
 * NEED_WRITE_FAULT). Linux: hmm_pte_need_fault()
 */
function hmmPteNeedFault(req: number, cpuFlags: number): number {
  if ((req & HMM_PFN_REQ_FAULT) === 0) return 0;
  let need = 0;
  if ((req & HMM_PFN_REQ_WRITE) !== 0 && (cpuFlags & HMM_PFN_WRITE) === 0) need |= NEED_FAULT | NEED_WRITE_FAULT;
  if ((cpuFlags & HMM_PFN_VALID) === 0) need |= NEED_FAULT;
  return need;
}

/** Whether an invalidation collided with the range since its read_begin / register. */
function hmmRangeCollided(range: HmmRange): boolean {
  if (range.notifier) return range.notifier.invalidateSeq !== range.notifierSeq; // mmu_interval_check_retry()
  if (range.legacy) return !range.legacy.valid;
  return false;
}

/**
 * Fills range.hmmPfns from the CPU page table of range.mm, faulting in what is asked.
 * The caller holds range.mm's mmap_lock for read. Returns 0, or:
 *   EBUSY   an invalidation collided (checked before every walk), or a migration entry
 *           was waited for and the range collided meanwhile: start again from read_begin
 *   EFAULT  a page asked for lies in no VMA, in a VM_IO/VM_PFNMAP or unreadable VMA, is a
 *           special PTE other than the zero page, or handle_mm_fault() failed
 *   EPERM   a write was asked for in a VMA without VM_WRITE
 * Each fault it takes is a normal fault of the target (its notifiers fire); after one the
 * walk starts over. Linux: hmm_range_fault() → walk_page_range() → hmm_vma_walk_*()
 */
export function* hmmRangeFault(k: Kernel, task: number, range: HmmRange): Op<0 | HmmErrno> {
  for (let walks = 0; ; walks++) {
    if (hmmRangeCollided(range)) return 'EBUSY';
    if (walks > 64) return 'EFAULT'; // a fault that never makes progress (simulator guard)
    const r = yield* hmmWalk(k, task, range);
    if (r !== 'again') return r;
  }
}

/** One walk of the range: 0, an error, or 'again' after a fault or a migration wait. */
function* hmmWalk(k: Kernel, task: number, range: HmmRange): Op<0 | HmmErrno | 'again'> {
  const mm = range.mm;
  for (let addr = range.start, i = 0; addr < range.end; addr += PAGE_SIZE, i++) {
    const entry = range.hmmPfns[i]!;
    const req = ((entry.flags & range.pfnFlagsMask) | range.defaultFlags) & HMM_PFN_INPUT;
    const out = (pfn: number, flags: number) => { entry.pfn = pfn; entry.flags = flags; };
    const vma = mm.findVma(addr);
    // hmm_vma_walk_test(), hmm_vma_walk_hole(): no VMA, or one HMM cannot read.
    if (!vma || vma.has(VM_IO | VM_PFNMAP) || !vma.has(VM_READ)) {
      if (req & HMM_PFN_REQ_FAULT) return 'EFAULT';
      out(0, HMM_PFN_ERROR);
      continue;
    }
    const pte = mm.pte(addr);
    const kind = pte.bits & PTE_KIND_MASK;
    let need: number;
    switch (kind) {
      case PTE_NONE: case PTE_SWAP:
        need = hmmPteNeedFault(req, 0);
        if (!need) { out(0, 0); continue; }
        break;
      case PTE_MIGRATION: {
        // kernel-model.md §6: wait for the migration whether or not a fault is asked for.
        const stillThere = () => (mm.pte(addr).bits & PTE_KIND_MASK) === PTE_MIGRATION;
        yield { wait: `migration entry at 0x${addr.toString(16)}`, ready: () => !stillThere() };
        return 'again';
      }
      case PTE_DEVICE: {
        const owner = devicePrivateOwners(k).get(pte.pfn);
        if (owner !== undefined && owner === range.devPrivateOwner) {
          out(pte.pfn, HMM_PFN_VALID | ((pte.bits & PTE_WRITE) !== 0 ? HMM_PFN_WRITE : 0));
          continue;
        }
        need = hmmPteNeedFault(req, 0);
        if (!need) { out(0, 0); continue; }
        break;
      }
      case PTE_PRESENT: {
        const cpu = pteToHmmPfnFlags(pte.bits);
        need = hmmPteNeedFault(req, cpu);
        if (need) break;
        if ((pte.bits & PTE_SPECIAL) !== 0 && pte.pfn !== ZERO_PFN) {
          if (hmmPteNeedFault(req, 0)) return 'EFAULT';
          out(0, HMM_PFN_ERROR);
          continue;
        }
        out(cpu ? pte.pfn : 0, cpu | (cpu && (pte.bits & PMD_HUGE) !== 0 ? HMM_PFN_PMD : 0));
        continue;
      }
      default:
        return 'EFAULT';
    }
    // hmm_vma_fault()
    const write = (need & NEED_WRITE_FAULT) !== 0;
    if (write && !vma.has(VM_WRITE)) return 'EPERM';
    // The fault may be a driver's, which may call hmm_range_fault again (a mirror of a
    // MIXEDMAP mirror view): a nesting frame.
    kernelStackEnter(k, task, 'hmm_range_fault → handle_mm_fault');
    let r;
    try {
      r = yield* handleMmFault(k, task, vma, addr, write);
    } finally {
      kernelStackLeave(k, task);
    }
    if (r.kind === 'retry') {
      // Without FAULT_FLAG_ALLOW_RETRY the fault sleeps on the lock, mmap_lock held.
      if (!r.wait.ready()) yield r.wait;
      return 'again';
    }
    if (r.kind === 'oom') {
      // The allocation found no frame after direct reclaim: in Linux the allocator OOM-kills
      // and retries (__alloc_pages_may_oom()) before VM_FAULT_OOM could reach hmm. mmspec
      // kills here and walks again. This task holds mmap_lock (the target's, and a mirror
      // fault's own): the victim's exit waits for it to run (deferExit). A fault on the
      // reaped victim's own mm then ends in SIGBUS (check_stable_address_space): -EFAULT.
      const victim = yield* pagefaultOutOfMemory(k, task, true);
      return victim === undefined ? 'EFAULT' : 'again';
    }
    if (r.kind !== 'done') return 'EFAULT'; // VM_FAULT_ERROR (SIGSEGV, SIGBUS): hmm_vma_fault()
    return 'again';
  }
  return 0;
}

/** A range over [start, end) of `mm` with every page asking for `flags`. */
export function hmmRangeInit(mm: Mm, start: number, end: number, flags: number,
  sync: { notifier: IntervalSub; seq: number } | { legacy: HmmLegacyRange } | undefined, devPrivateOwner?: unknown): HmmRange {
  const n = (end - start) / PAGE_SIZE;
  const hmmPfns: HmmPfn[] = [];
  for (let i = 0; i < n; i++) hmmPfns.push({ pfn: 0, flags: 0 });
  // Built field by field (no spreads): drivers create one per fault.
  const range: { -readonly [K in keyof HmmRange]: HmmRange[K] } = { mm, start, end, notifierSeq: 0, hmmPfns, defaultFlags: flags, pfnFlagsMask: 0 };
  if (sync && 'notifier' in sync) { range.notifier = sync.notifier; range.notifierSeq = sync.seq; }
  if (sync && 'legacy' in sync) range.legacy = sync.legacy;
  if (devPrivateOwner !== undefined) range.devPrivateOwner = devPrivateOwner;
  return range;
}

// ---------------------------------------------------------------------------------------
// The v5.2 API (mm/hmm.c at v5.2): struct hmm per mm, registered ranges with a `valid`
// flag, mirrors with sync_cpu_device_pagetables(). Replaced in v5.5 by interval notifiers,
// because `valid` means "no invalidation in progress now", not "none since my snapshot":
//
//   fault: register (valid) ── snapshot ─────────────────────── lock, valid? yes → insert
//   inval:                      start: valid=false … end: notifiers==0 → valid=true
//                                          the stale snapshot is inserted ─────────┘

/** Linux v5.2: struct hmm_range's registration part. */
export interface HmmLegacyRange {
  readonly mm: Mm;
  readonly start: number;
  readonly end: number;
  valid: boolean;
}

/** Linux v5.2: struct hmm_mirror_ops (sync_cpu_device_pagetables returns false to fail a non-blockable call). */
export interface HmmMirrorOps {
  readonly name: string;
  syncCpuDevicePagetables(update: NotifierRange): Op<boolean>;
}

/** Linux v5.2: struct hmm — one per mm, an mmu_notifier of its own. */
class Hmm implements MmuNotifierOps {
  readonly name = 'hmm';
  readonly ranges = new Set<HmmLegacyRange>();
  readonly mirrors: HmmMirrorOps[] = [];
  /** Invalidations in progress on the mm. */
  notifiers = 0;
  constructor(readonly mm: Mm) {}

  /** Linux v5.2: hmm_invalidate_range_start() */
  *invalidateRangeStart(range: NotifierRange): Op<boolean> {
    this.notifiers++;
    for (const r of this.ranges) if (r.start < range.end && range.start < r.end) r.valid = false;
    for (const m of [...this.mirrors]) if (!(yield* m.syncCpuDevicePagetables(range))) return false;
    return true;
  }

  /** Linux v5.2: hmm_invalidate_range_end() — at zero, *every* range is valid again. */
  *invalidateRangeEnd(range: NotifierRange): Op<void> {
    void range;
    this.notifiers--;
    if (this.notifiers === 0) for (const r of this.ranges) r.valid = true;
  }
}

/** mm->hmm: the key of an mm's Hmm among its attached state. */
const HMM = {};
const hmmOf = (mm: Mm): Hmm | undefined => mm.attached.get(HMM) as Hmm | undefined;

/** Linux v5.2: hmm_mirror_register() (creates mm->hmm and its notifier on first use). */
export function hmmMirrorRegister(mirror: HmmMirrorOps, mm: Mm): void {
  let hmm = hmmOf(mm);
  if (!hmm) {
    hmm = new Hmm(mm);
    mm.attached.set(HMM, hmm);
    mmuNotifierRegister(mm, hmm);
  }
  hmm.mirrors.push(mirror);
}

/** Linux v5.2: hmm_mirror_unregister() */
export function hmmMirrorUnregister(mirror: HmmMirrorOps, mm: Mm): void {
  const hmm = hmmOf(mm);
  if (!hmm) return;
  const i = hmm.mirrors.indexOf(mirror);
  if (i >= 0) hmm.mirrors.splice(i, 1);
  if (hmm.mirrors.length === 0 && hmm.ranges.size === 0) {
    mmuNotifierUnregister(mm, hmm);
    mm.attached.delete(HMM);
  }
}

/** Valid only when no invalidation is in flight on the mm. Linux v5.2: hmm_range_register() */
export function hmmRangeRegister(mm: Mm, start: number, end: number): HmmLegacyRange {
  const hmm = hmmOf(mm);
  const range: HmmLegacyRange = { mm, start, end, valid: hmm === undefined || hmm.notifiers === 0 };
  hmm?.ranges.add(range);
  return range;
}

/** Linux v5.2: hmm_range_unregister() */
export function hmmRangeUnregister(range: HmmLegacyRange): void {
  hmmOf(range.mm)?.ranges.delete(range);
  range.valid = false;
}

/** Linux v5.2: hmm_range_valid() */
export const hmmRangeValid = (range: HmmLegacyRange): boolean => range.valid;

/** Sleeps until the range is valid (no invalidation in flight). Linux v5.2: hmm_range_wait_until_valid() */
export function* hmmRangeWaitUntilValid(range: HmmLegacyRange): Op<void> {
  if (!range.valid) yield { wait: 'hmm_range_wait_until_valid: invalidation in progress', ready: () => range.valid };
}
