import type { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import type { Vma } from './vma.js';
import { PTE_KIND_MASK, PTE_PRESENT, PTE_SWAP, PTE_SPECIAL, PTE_YOUNG, PTE_DIRTY } from './pte.js';
import { ZERO_PFN, PG_ANON, PG_LRU, PG_REFERENCED, PG_SWAPCACHE, PG_LOCKED, PG_ISOLATED, PG_HEAD, PG_TAIL, PG_KSM } from './frames.js';
import { anonVmaPrepare, pageAddNewAnonRmap, pageRemoveRmap } from './rmap.js';
import { lruAdd, lruDel } from './lru.js';
import { downWrite, downRead } from './locks.js';
import { mmuNotifierInvalidateRangeStart, mmuNotifierInvalidateRangeEnd, type NotifierRange } from './notifier.js';
import { handleMmFault, pteProtBits } from './fault.js';
import { freeSwapCache } from './swap_state.js';
import { allocThp, hugeBase, thpVmaAllowed } from './huge.js';
import { HPAGE_PMD_NR, HPAGE_PMD_SIZE, PAGE_SIZE, KernelError, type Op, type Value } from './types.js';

/**
 * khugepaged and MADV_COLLAPSE: collapse a 2 MiB extent of 4 KiB anonymous pages into a
 * THP. Linux: mm/khugepaged.c
 *
 * An extent qualifies when it is 2 MiB aligned and wholly inside one VMA that allows THPs
 * (anonymous, private, not VM_SPECIAL nor a driver's — VM_NO_KHUGEPAGED —, not
 * VM_NOHUGEPAGE; khugepaged also needs VM_HUGEPAGE in madvise mode) and its PTEs pass the
 * scan (hpage_collapse_scan_pmd, with the sysfs defaults):
 *  - none or zero-page PTEs: at most max_ptes_none = 511 for khugepaged, so at least one
 *    page must be present; no limit for MADV_COLLAPSE (an empty PTE table collapses to a
 *    THP of zeros; an extent with no PTE table at all is SCAN_PMD_NULL);
 *  - swap entries: at most max_ptes_swap = 64 for khugepaged (no limit for MADV_COLLAPSE);
 *    they are swapped in before the collapse (__collapse_huge_page_swapin → do_swap_page);
 *  - pages mapped more than once: at most max_ptes_shared = 256 for khugepaged;
 *  - every page a normal anonymous page on the LRU (not special, KSM, locked or isolated)
 *    with no references beyond its mappings and swap cache (is_refcount_suitable: a GUP
 *    pin refuses the collapse), and no migration or device entry;
 *  - khugepaged: at least one young PTE or referenced page, and at least 256 when swap
 *    entries are among them (SCAN_LACK_REFERENCED_PAGE).
 * A failed scan emits `thp … no collapse: <scan result>` (the tracepoint's result).
 *
 * The collapse (collapse_huge_page), under mmap_lock for write: a THP is allocated (none
 * free: SCAN_ALLOC_HUGE_PAGE_FAIL), then `start` (CLEAR over the 2 MiB) → `clear` (every
 * PTE cleared; the pages held) → copy into the THP (none/zero → 0) → map it at the PMD,
 * writable if the VMA is, dirty → `end` → `free` (the small pages lose the reference their
 * mapping had; pages still mapped elsewhere survive). This is kernel-model.md §8's order;
 * Linux ends the invalidation right after pmdp_collapse_flush and copies with the PMD
 * detached, which no thread can observe while mmap_lock is held for write.
 */

/** khugepaged's sysfs defaults (/sys/kernel/mm/transparent_hugepage/khugepaged/*). */
export const KHUGEPAGED_MAX_PTES_NONE = HPAGE_PMD_NR - 1;
export const KHUGEPAGED_MAX_PTES_SWAP = HPAGE_PMD_NR / 8;
export const KHUGEPAGED_MAX_PTES_SHARED = HPAGE_PMD_NR / 2;

/** Scan results (enum scan_result), the ones mmspec can reach. */
export type ScanResult =
  | 'succeed' | 'pmd_mapped' | 'pmd_null' | 'vma_check' | 'address_range' | 'exceed_none_pte' | 'exceed_swap_pte'
  | 'exceed_shared_pte' | 'pte_non_present' | 'page_null' | 'page_anon' | 'page_lru' | 'page_lock' | 'page_count'
  | 'page_ksm' | 'lack_referenced_page' | 'alloc_huge_page_fail';

/**
 * khugepaged visits the 2 MiB extents that overlap [start, end) of `mm` and collapses each
 * that qualifies. Linux: khugepaged_scan_mm_slot() → hpage_collapse_scan_pmd() → collapse_huge_page()
 */
export function* khugepagedScan(k: Kernel, task: number, mm: Mm, start: number, end: number): Op<void> {
  for (let base = hugeBase(start); base < end; base += HPAGE_PMD_SIZE) {
    yield* collapseExtent(k, task, mm, base, true);
  }
}

/**
 * MADV_COLLAPSE of [start, end): every 2 MiB extent wholly inside the range is collapsed
 * (or already PMD-mapped). Called with `task` holding mm's mmap_lock for read (from
 * do_madvise) or not at all: like madvise_collapse() it drops the read lock to take the
 * write lock per extent, and takes it again before returning.
 * Errors (madvise_collapse_errno): ENOMEM no THP could be allocated; EAGAIN a page was
 * pinned, locked or off the LRU; EINVAL anything else (an extent that cannot collapse,
 * or no whole extent in the range).
 * Linux: madvise_collapse()
 */
export function* collapseRange(k: Kernel, task: number, mm: Mm, start: number, end: number): Op<KernelError | undefined> {
  const hstart = Math.ceil(start / HPAGE_PMD_SIZE) * HPAGE_PMD_SIZE;
  const hend = Math.floor(end / HPAGE_PMD_SIZE) * HPAGE_PMD_SIZE;
  const held = mm.mmapLock.readers.includes(task);
  if (held) mm.mmapLock.upRead(task);
  let last: ScanResult | undefined;
  let thps = 0;
  try {
    for (let base = hstart; base < hend; base += HPAGE_PMD_SIZE) {
      const r = yield* collapseExtent(k, task, mm, base, false);
      if (r === 'succeed' || r === 'pmd_mapped') thps++;
      else last = r;
    }
  } finally {
    if (held) yield* downRead(mm.mmapLock, task);
  }
  if (hstart >= hend) return new KernelError('EINVAL', 'MADV_COLLAPSE: the range holds no whole 2 MiB extent');
  if (thps === (hend - hstart) / HPAGE_PMD_SIZE) return undefined;
  switch (last) {
    case 'alloc_huge_page_fail': return new KernelError('ENOMEM', 'MADV_COLLAPSE: no free 2 MiB block for a THP');
    case 'page_count': case 'page_lock': case 'page_lru': return new KernelError('EAGAIN', `MADV_COLLAPSE: ${last}`);
    default: return new KernelError('EINVAL', `MADV_COLLAPSE: ${last}`);
  }
}

/** One extent: scan, then collapse. Linux: hpage_collapse_scan_pmd() → collapse_huge_page() */
function* collapseExtent(k: Kernel, task: number, mm: Mm, base: number, khugepaged: boolean): Op<ScanResult> {
  yield* downWrite(mm.mmapLock, task);
  try {
    const vma = mm.findVma(base);
    let r: ScanResult;
    if (!vma || !thpVmaAllowed(vma, khugepaged)) r = 'vma_check';
    else if (base < vma.start || base + HPAGE_PMD_SIZE > vma.end) r = 'address_range';
    else r = scanExtent(k, vma, base, khugepaged);
    if (r === 'succeed') {
      yield* swapInExtent(k, task, vma!, base);
      r = scanExtent(k, vma!, base, khugepaged);
    }
    if (r === 'succeed') r = yield* collapseHugePage(k, task, vma!, base);
    if (r !== 'succeed' && !(khugepaged && (r === 'vma_check' || r === 'address_range' || r === 'pmd_mapped'))) {
      k.emit({ e: 'thp', mm: mm.id, addr: base, what: `${khugepaged ? 'khugepaged' : 'madvise_collapse'}: no collapse: ${r}` });
    }
    return r;
  } finally {
    mm.mmapLock.upWrite(task);
  }
}

/** Linux: hpage_collapse_scan_pmd() with __collapse_huge_page_isolate()'s page checks */
function scanExtent(k: Kernel, vma: Vma, base: number, khugepaged: boolean): ScanResult {
  const mm = vma.mm, m = k.mem;
  if (mm.hugePmd(base).bits !== 0) return 'pmd_mapped';
  if (!mm.pt.ptePage(base, false)) return 'pmd_null';
  let none = 0, swap = 0, shared = 0, referenced = 0;
  for (let i = 0; i < HPAGE_PMD_NR; i++) {
    const pte = mm.pte(base + i * PAGE_SIZE);
    const kind = pte.bits & PTE_KIND_MASK;
    if (kind === 0 || (kind === PTE_PRESENT && pte.pfn === ZERO_PFN)) {
      if (++none > KHUGEPAGED_MAX_PTES_NONE && khugepaged) return 'exceed_none_pte';
      continue;
    }
    if (kind === PTE_SWAP) {
      if (++swap > KHUGEPAGED_MAX_PTES_SWAP && khugepaged) return 'exceed_swap_pte';
      continue;
    }
    if (kind !== PTE_PRESENT) return 'pte_non_present';
    if ((pte.bits & PTE_SPECIAL) !== 0) return 'page_null';
    const pfn = pte.pfn;
    if (m.has(pfn, PG_HEAD | PG_TAIL)) return 'pmd_mapped';
    if (!m.has(pfn, PG_ANON)) return 'page_anon';
    if (m.has(pfn, PG_KSM)) return 'page_ksm';
    if (m.mapcount[pfn]! > 1 && ++shared > KHUGEPAGED_MAX_PTES_SHARED && khugepaged) return 'exceed_shared_pte';
    if (m.has(pfn, PG_LOCKED)) return 'page_lock';
    if (!m.has(pfn, PG_LRU) || m.has(pfn, PG_ISOLATED)) return 'page_lru';
    if (m.refcount[pfn] !== m.mapcount[pfn]! + (m.has(pfn, PG_SWAPCACHE) ? 1 : 0)) return 'page_count';
    if ((pte.bits & PTE_YOUNG) !== 0 || m.has(pfn, PG_REFERENCED)) referenced++;
  }
  if (khugepaged && (referenced === 0 || (swap > 0 && referenced < HPAGE_PMD_NR / 2))) return 'lack_referenced_page';
  return 'succeed';
}

/** Brings the extent's swapped-out pages back (read faults). Linux: __collapse_huge_page_swapin() */
function* swapInExtent(k: Kernel, task: number, vma: Vma, base: number): Op<void> {
  for (let i = 0; i < HPAGE_PMD_NR; i++) {
    const addr = base + i * PAGE_SIZE;
    if ((vma.mm.pte(addr).bits & PTE_KIND_MASK) === PTE_SWAP) yield* handleMmFault(k, task, vma, addr, false);
  }
}

/**
 * The collapse itself (mmap_lock held for write, the scan passed). Steps: start, clear,
 * copy, end, free. Linux: collapse_huge_page()
 */
function* collapseHugePage(k: Kernel, task: number, vma: Vma, base: number): Op<ScanResult> {
  const mm = vma.mm, m = k.mem;
  const head = allocThp(k, [], 'thp (collapse)');
  if (head === undefined) return 'alloc_huge_page_fail';
  const range: NotifierRange = { mm, start: base, end: base + HPAGE_PMD_SIZE, event: 'CLEAR', blockable: true, task };
  yield* mmuNotifierInvalidateRangeStart(k, range);
  if (k.step('start')) yield 'start';
  // Clear every PTE; each page's mapping reference becomes our isolation reference.
  const values: Value[] = new Array<Value>(HPAGE_PMD_NR).fill(0);
  const held: number[] = [];
  for (let i = 0; i < HPAGE_PMD_NR; i++) {
    const addr = base + i * PAGE_SIZE;
    const pte = mm.pte(addr);
    if (pte.bits === 0) continue;
    k.setPte(mm, addr, 0, 0);
    if ((pte.bits & PTE_SPECIAL) !== 0 || pte.pfn === ZERO_PFN) continue;
    values[i] = m.value[pte.pfn] ?? 0;
    pageRemoveRmap(k, pte.pfn);
    if (!held.includes(pte.pfn)) {
      lruDel(k, pte.pfn);
      m.set(pte.pfn, PG_ISOLATED);
    }
    m.addPin(pte.pfn, 1);
    k.putPage(pte.pfn);
    held.push(pte.pfn);
  }
  mm.pt.freePtePage(base);
  if (k.step('clear')) yield 'clear';
  for (let i = 0; i < HPAGE_PMD_NR; i++) m.value[head + i] = values[i]!;
  k.emit({ e: 'thp', mm: mm.id, addr: base, what: `collapse_huge_page: ${held.length} page${held.length === 1 ? '' : 's'} copied into pfn ${head}` });
  anonVmaPrepare(k, vma);
  pageAddNewAnonRmap(k, head, vma, base);
  lruAdd(k, head);
  k.setPmd(mm, base, head, pteProtBits(vma, true) | PTE_DIRTY | PTE_YOUNG);
  if (k.step('copy')) yield 'copy';
  yield* mmuNotifierInvalidateRangeEnd(k, range);
  if (k.step('end')) yield 'end';
  for (const pfn of held) {
    m.addPin(pfn, -1);
    if (m.refcount[pfn] === 0) {
      k.freePage(pfn);
      continue;
    }
    if (m.has(pfn, PG_ISOLATED)) {
      m.clear(pfn, PG_ISOLATED);
      if (m.mapcount[pfn] === 0) freeSwapCache(k, pfn);
      if (m.isAllocated(pfn)) lruAdd(k, pfn);
    }
    if (m.isAllocated(pfn)) k.check.frameTouched(pfn);
  }
  if (k.step('free')) yield 'free';
  return 'succeed';
}
