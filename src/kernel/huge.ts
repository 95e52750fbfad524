import type { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import { VM_HUGEPAGE, VM_NOHUGEPAGE, VM_SHARED, VM_SPECIAL, VM_ACCESS, type Vma } from './vma.js';
import { PTE_WRITE, PTE_DIRTY, PTE_YOUNG, PTE_SPECIAL, PTE_PROTNONE, PMD_HUGE, type PteValue } from './pte.js';
import { PageTable } from './pagetable.js';
import {
  ZERO_PFN, PG_ANON, PG_ANON_EXCLUSIVE, PG_HEAD, PG_TAIL, PG_LRU, PG_ACTIVE, PG_SWAPCACHE, PG_KSM, PG_ALLOCATED, PG_TRANSIENT,
} from './frames.js';
import { anonVmaPrepare, pageAddNewAnonRmap, pageRemoveRmap, rmapWalk } from './rmap.js';
import { lruAdd, ACTIVE, INACTIVE } from './lru.js';
import { mmuNotifierInvalidateRangeStart, mmuNotifierInvalidateRangeEnd, type NotifierRange } from './notifier.js';
import { pteProtBits, type FaultOutcome } from './fault.js';
import { zapPageRange } from './memory.js';
import { HPAGE_PMD_NR, HPAGE_PMD_SIZE, PAGE_SIZE, type Op } from './types.js';

/**
 * Transparent huge pages in `madvise` mode (kernel-model.md §1). Linux: mm/huge_memory.c
 *
 * A THP is 512 naturally aligned frames (head + tails, PhysMem.allocHuge). While
 * PMD-mapped, the head carries the whole folio's counts: one mapcount and one reference
 * per PMD mapping (the checker counts PMDs on the head).
 *
 * Modelling choice — "the deferred split runs immediately": Linux splits a PMD into 512
 * PTEs of a still-compound page (__split_huge_pmd) and splits the compound page itself
 * later (deferred_split_scan / split_huge_page). mmspec splits both at once: splitting any
 * PMD of a THP splits every PMD mapping of it (each mm with its own CLEAR over the 2 MiB,
 * as __split_huge_pmd fires) and turns the folio into 512 small pages with their own
 * counts. So a THP is always either PMD-mapped as a whole or gone; PTE-mapped compound
 * pages never exist. After fork, a partial munmap in one process therefore splits the
 * other process's PMD too (Linux would leave it PMD-mapped until the deferred split).
 *
 * For the other kernel paths that walk page tables (one helper each):
 *  - zap (munmap, MADV_DONTNEED, exit): zapPageRange calls {@link zapHugePmd}.
 *  - munmap/mprotect/madvise of part of a THP: call {@link vmaAdjustTransHuge} before
 *    splitting the VMA (Linux: vma_adjust_trans_huge in __split_vma), or
 *    {@link splitHugePmd} on the PMD (Linux: split_huge_pmd in change_pmd_range).
 *  - reclaim, migration, KSM of a page that is part of a THP: `yield*`
 *    {@link splitHugePageOp} first (Linux: split_huge_page / split_folio_to_list), then act
 *    per 4 KiB page. {@link splitHugePage} is the same without notifiers, for sync code.
 *  - fork (copy_huge_pmd): share the PMD write-protected in both mms, pageDupRmap(head),
 *    clear PG_ANON_EXCLUSIVE on the head; a huge zero PMD is copied as is.
 *  - mprotect of a whole PMD (change_huge_pmd): k.setPmd with the new bits.
 */

export const hugeBase = (addr: number): number => addr - (addr % HPAGE_PMD_SIZE);

const DONE: FaultOutcome = Object.freeze({ kind: 'done' });

/** pmd_none(): neither a huge mapping nor a PTE table at the PMD slot of `addr`. */
export function pmdNone(mm: Mm, addr: number): boolean {
  const pmd = mm.pt.pmdPage(addr, false);
  if (!pmd) return true;
  const mi = PageTable.pmdIndex(addr);
  return pmd.hugeBits[mi] === 0 && !pmd.ptes.has(mi);
}

/**
 * Whether THPs are allowed in `vma` at all (madvise mode): anonymous private memory with
 * VM_HUGEPAGE (khugepaged/faults) and without VM_NOHUGEPAGE; never a driver's VMA
 * (VM_SPECIAL, or vm_ops: VM_NO_KHUGEPAGED). `madvise=false` is MADV_COLLAPSE, which
 * ignores the sysfs mode but still honours VM_NOHUGEPAGE.
 * Linux: thp_vma_allowable_order() / __thp_vma_allowable_orders(), vma_thp_disabled()
 */
export function thpVmaAllowed(vma: Vma, madvise: boolean): boolean {
  if (!vma.isAnon || vma.has(VM_SHARED) || vma.has(VM_SPECIAL)) return false;
  if (vma.has(VM_NOHUGEPAGE)) return false;
  return !madvise || vma.has(VM_HUGEPAGE);
}

/** Whether the aligned 2 MiB extent around `addr` lies inside `vma`. Linux: thp_vma_suitable_order() */
export function thpExtentInside(vma: Vma, addr: number): boolean {
  const base = hugeBase(addr);
  return base >= vma.start && base + HPAGE_PMD_SIZE <= vma.end;
}

/**
 * A fault at `addr` may allocate a THP: VM_HUGEPAGE anonymous VMA, the aligned 2 MiB
 * extent inside it, and the PMD still empty (a PTE table there means 4 KiB pages).
 * Linux: __handle_mm_fault() → thp_vma_allowable_order(), pmd_none()
 */
export function thpFaultEligible(vma: Vma, addr: number): boolean {
  return thpVmaAllowed(vma, true) && thpExtentInside(vma, addr) && pmdNone(vma.mm, hugeBase(addr));
}

/**
 * First touch of a THP-eligible extent. A write allocates a zeroed THP and maps it at the
 * PMD, writable and dirty; no aligned free 2 MiB block → 'fallback' to 4 KiB pages
 * (mmspec does not compact or reclaim for a THP: THP_FAULT_FALLBACK). A read maps the
 * huge zero page (transparent_hugepage/use_zero_page defaults to 1): a read-only PMD at
 * pfn 0, marked special like the 4 KiB zero PTE so that no path counts it.
 * Linux: do_huge_pmd_anonymous_page(), set_huge_zero_folio()
 */
export function* doHugePmdAnonymousPage(k: Kernel, task: number, vma: Vma, addr: number, write: boolean): Op<FaultOutcome | 'fallback'> {
  void task;
  const mm = vma.mm;
  const base = hugeBase(addr);
  if (!write) {
    k.emit({ e: 'fault', mm: mm.id, addr, access: 'read', how: 'do_huge_pmd_anonymous_page: huge zero page' });
    k.setPmd(mm, base, ZERO_PFN, (pteProtBits(vma, false) | PTE_SPECIAL | PTE_YOUNG) & ~PTE_WRITE);
    return DONE;
  }
  anonVmaPrepare(k, vma);
  const head = allocThp(k, [], 'thp');
  if (head === undefined) {
    k.emit({ e: 'thp', mm: mm.id, addr: base, what: 'fault fallback: no free 2 MiB block' });
    return 'fallback';
  }
  k.emit({ e: 'fault', mm: mm.id, addr, access: 'write', how: 'do_huge_pmd_anonymous_page' });
  pageAddNewAnonRmap(k, head, vma, base);
  lruAdd(k, head);
  k.setPmd(mm, base, head, pteProtBits(vma, true) | PTE_DIRTY | PTE_YOUNG);
  return DONE;
}

/**
 * Allocates a THP (512 values, missing ones 0) with a transient reference on the head,
 * as k.allocPage does for small pages; undefined when no aligned free block exists.
 */
export function allocThp(k: Kernel, values: readonly (string | number)[], what: string): number | undefined {
  const head = k.mem.allocHuge(values);
  if (head === undefined) return undefined;
  k.mem.markTransient(head);
  k.check.frameAllocated(head);
  k.emit({ e: 'alloc', pfn: head, what });
  return head;
}

/**
 * A fault on a PMD-mapped THP (fault.ts calls it for every fault under a huge PMD):
 *  - protnone (NUMA hinting) in an accessible VMA: restore the protection
 *    (do_huge_pmd_numa_page; one node, so the page stays);
 *  - write to the huge zero page: split the PMD into 4 KiB zero PTEs and retry, which
 *    copies one page (v5.8+: no THP is allocated here);
 *  - write to a read-only THP: reuse it when exclusive (PG_anon_exclusive, or refcount 1),
 *    else split and retry, so the 4 KiB path copies one page (v6.x do_huge_pmd_wp_page
 *    → __split_huge_pmd, VM_FAULT_FALLBACK);
 *  - anything else is spurious (the retry succeeds).
 * Linux: do_huge_pmd_wp_page(), do_huge_pmd_numa_page()
 */
export function* doHugePmdWpPage(k: Kernel, task: number, vma: Vma, addr: number, pte: PteValue, write: boolean): Op<FaultOutcome> {
  const mm = vma.mm;
  const base = hugeBase(addr);
  const pmd = mm.hugePmd(base);
  void pte;
  const access = write ? 'write' : 'read';
  if ((pmd.bits & PTE_PROTNONE) !== 0 && vma.has(VM_ACCESS)) {
    k.emit({ e: 'fault', mm: mm.id, addr, access, how: 'do_huge_pmd_numa_page' });
    k.setPmd(mm, base, pmd.pfn, (pmd.bits & ~PTE_PROTNONE) | PTE_YOUNG);
    return DONE;
  }
  if (!write || (pmd.bits & PTE_WRITE) !== 0) return DONE;
  const m = k.mem;
  const head = pmd.pfn;
  if (head !== ZERO_PFN && m.has(head, PG_ANON) && !m.has(head, PG_KSM) &&
      (m.has(head, PG_ANON_EXCLUSIVE) || (m.refcount[head] === 1 && !m.has(head, PG_SWAPCACHE)))) {
    k.emit({ e: 'fault', mm: mm.id, addr, access, how: 'do_huge_pmd_wp_page: reuse' });
    m.set(head, PG_ANON_EXCLUSIVE);
    k.setPmd(mm, base, head, pmd.bits | PTE_WRITE | PTE_DIRTY | PTE_YOUNG);
    return DONE;
  }
  k.emit({ e: 'fault', mm: mm.id, addr, access,
    how: head === ZERO_PFN ? 'do_huge_pmd_wp_page: huge zero page, split' : 'do_huge_pmd_wp_page: shared, split' });
  yield* splitHugePmd(k, task, vma, base);
  return DONE;
}

/**
 * Zaps the huge PMD at `base` for a zap of [start, end) (zapPageRange, inside the caller's
 * invalidation). The whole 2 MiB: the PMD goes and the THP loses a mapping and a
 * reference (freed at zero). Part of it: split quietly (the caller's notifier covers the
 * zapped part; the rest keeps its frames), then zap the PTEs in range. Returns the entries
 * cleared. Linux: zap_huge_pmd(); __split_huge_pmd() from zap_pmd_range()
 */
export function zapHugePmd(k: Kernel, vma: Vma, base: number, start: number, end: number): number {
  const mm = vma.mm;
  const pmd = mm.hugePmd(base);
  if (pmd.bits === 0) return 0;
  if (start <= base && base + HPAGE_PMD_SIZE <= end) {
    k.setPmd(mm, base, 0, 0);
    if (pmd.pfn !== ZERO_PFN && (pmd.bits & PTE_SPECIAL) === 0) {
      pageRemoveRmap(k, pmd.pfn);
      k.putPage(pmd.pfn);
    }
    return 1;
  }
  splitPmdLocked(k, mm, base);
  return zapPageRange(k, vma, Math.max(start, base), Math.min(end, base + HPAGE_PMD_SIZE));
}

/**
 * Splits the huge PMD covering `addr`, if any: CLEAR over the 2 MiB, then 512 PTEs of the
 * same frames and permissions. A THP's split splits the folio too (and so its other PMD
 * mappings, see the file comment). Steps: start, clear, end. Linux: split_huge_pmd()
 */
export function* splitHugePmd(k: Kernel, task: number, vma: Vma, addr: number): Op<void> {
  const mm = vma.mm;
  const base = hugeBase(addr);
  const pmd = mm.hugePmd(base);
  if (pmd.bits === 0) return;
  if (pmd.pfn !== ZERO_PFN) {
    yield* splitHugePageOp(k, task, pmd.pfn);
    return;
  }
  const range: NotifierRange = { mm, start: base, end: base + HPAGE_PMD_SIZE, event: 'CLEAR', blockable: true, task };
  yield* mmuNotifierInvalidateRangeStart(k, range);
  if (k.step('start')) yield 'start';
  splitPmdLocked(k, mm, base);
  if (k.step('clear')) yield 'clear';
  yield* mmuNotifierInvalidateRangeEnd(k, range);
  if (k.step('end')) yield 'end';
}

/**
 * Splits the huge PMDs at the edges of [start, end) that the range cuts (an edge that is
 * not 2 MiB aligned inside a huge PMD), before a VMA is split there.
 * Linux: vma_adjust_trans_huge() → split_huge_pmd_if_needed()
 */
export function* vmaAdjustTransHuge(k: Kernel, task: number, mm: Mm, start: number, end: number): Op<void> {
  for (const edge of [start, end]) {
    if (edge % HPAGE_PMD_SIZE === 0) continue;
    const vma = mm.findVma(edge);
    if (vma && mm.hugePmd(hugeBase(edge)).bits !== 0) yield* splitHugePmd(k, task, vma, edge);
  }
}

/** The PMD mappings of a THP, found through rmap (each at its 2 MiB base). */
function pmdMappings(k: Kernel, head: number): { mm: Mm; base: number }[] {
  return rmapWalk(k, head)
    .filter((h) => h.addr % HPAGE_PMD_SIZE === 0 && h.vma.mm.hugePmd(h.addr).pfn === head && h.vma.mm.hugePmd(h.addr).bits !== 0)
    .map((h) => ({ mm: h.vma.mm, base: h.addr }));
}

/**
 * Splits the THP containing `pfn` into 512 small pages, each PMD mapping into 512 PTEs,
 * with a CLEAR invalidation over each mapping's 2 MiB around the change. Returns false
 * when the page is not (or no longer) a THP. Steps: start, clear, end.
 * Linux: split_huge_page() (unmap_folio: split_huge_pmd_address per mapping; remap_page)
 */
export function* splitHugePageOp(k: Kernel, task: number, pfn: number): Op<boolean> {
  const head = k.mem.headOf(pfn);
  if (!k.mem.has(head, PG_HEAD)) return false;
  const ranges: NotifierRange[] = pmdMappings(k, head).map(({ mm, base }) =>
    ({ mm, start: base, end: base + HPAGE_PMD_SIZE, event: 'CLEAR', blockable: true, task }));
  for (const r of ranges) yield* mmuNotifierInvalidateRangeStart(k, r);
  if (k.step('start')) yield 'start';
  const ok = splitHugePage(k, head);
  if (k.step('clear')) yield 'clear';
  for (const r of ranges) yield* mmuNotifierInvalidateRangeEnd(k, r);
  if (k.step('end')) yield 'end';
  return ok;
}

/**
 * Splits the THP containing `pfn` at once, without notifiers (for sync callers already
 * inside an invalidation): every PMD mapping becomes 512 PTEs with the PMD's bits, and the
 * folio 512 small pages — same frames, contents, owner (index + i), flags and LRU list;
 * each gets one mapcount and one reference per PTE. References other than mappings
 * (pins) stay on the head page. Returns false if `pfn` is not part of a THP.
 * Linux: __split_huge_pmd_locked(), __split_huge_page()
 */
export function splitHugePage(k: Kernel, pfn: number): boolean {
  const m = k.mem;
  const head = m.headOf(pfn);
  if (!m.has(head, PG_HEAD)) return false;
  const maps = pmdMappings(k, head).map(({ mm, base }) => ({ mm, base, bits: mm.hugePmd(base).bits }));
  for (const { mm, base } of maps) {
    k.setPmd(mm, base, 0, 0);
    m.mapcount[head]!--;
    m.refcount[head]!--;
  }
  splitFolio(k, head);
  for (const { mm, base, bits } of maps) {
    k.emit({ e: 'thp', mm: mm.id, addr: base, what: `split_huge_pmd: pfn ${head} into 512 pages` });
    for (let i = 0; i < HPAGE_PMD_NR; i++) {
      k.setPte(mm, base + i * PAGE_SIZE, head + i, bits);
      m.mapcount[head + i]!++;
      m.refcount[head + i]!++;
    }
  }
  for (let i = 0; i < HPAGE_PMD_NR; i++) k.check.frameTouched(head + i);
  return true;
}

/** Turns a compound page into 512 small pages (counts: the head keeps what it has). */
function splitFolio(k: Kernel, head: number): void {
  const m = k.mem;
  const shared = m.flags[head]! & ~(PG_HEAD | PG_LRU | PG_ACTIVE | PG_TRANSIENT);
  const onLru = m.has(head, PG_LRU);
  const list = m.has(head, PG_ACTIVE) ? ACTIVE : INACTIVE;
  m.clear(head, PG_HEAD);
  for (let i = 1; i < HPAGE_PMD_NR; i++) {
    const t = head + i;
    m.flags[t] = (shared | PG_ALLOCATED) & ~PG_TAIL;
    m.owner[t] = m.owner[head]!;
    m.index[t] = m.index[head]! + i;
    m.refcount[t] = 0;
    m.mapcount[t] = 0;
    if (onLru) lruAdd(k, t, list);
  }
}

/**
 * Replaces the huge PMD at `base` by 512 PTEs without a notifier: the huge zero page
 * becomes 512 zero-page PTEs; a THP is split as a whole ({@link splitHugePage}).
 * Linux: __split_huge_pmd_locked(), __split_huge_zero_page_pmd()
 */
function splitPmdLocked(k: Kernel, mm: Mm, base: number): void {
  const pmd = mm.hugePmd(base);
  if (pmd.bits === 0) return;
  if (pmd.pfn !== ZERO_PFN) {
    splitHugePage(k, pmd.pfn);
    return;
  }
  k.emit({ e: 'thp', mm: mm.id, addr: base, what: 'split_huge_pmd: huge zero page into 512 zero PTEs' });
  k.setPmd(mm, base, 0, 0);
  for (let i = 0; i < HPAGE_PMD_NR; i++) k.setPte(mm, base + i * PAGE_SIZE, ZERO_PFN, (pmd.bits | PTE_SPECIAL) & ~PMD_HUGE);
}
