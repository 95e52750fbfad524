import type { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import {
  type Vma, VM_PFNMAP, VM_HUGEPAGE, VM_NOHUGEPAGE, VM_MERGEABLE, VM_SHARED, VM_MAYSHARE, VM_IO, VM_DONTEXPAND,
  VM_MIXEDMAP,
} from './vma.js';
import {
  PG_ACTIVE, PG_ANON, PG_DIRTY, PG_LAZYFREE, PG_LOCKED, PG_LRU, PG_REFERENCED, PG_SWAPBACKED, PG_SWAPCACHE, ZERO_PFN,
} from './frames.js';
import {
  isPresent, PTE_DIRTY, PTE_KIND_MASK, PTE_SPECIAL, PTE_SWAP, PTE_YOUNG, PTE_EXCLUSIVE,
} from './pte.js';
import { ACTIVE, INACTIVE, lruAdd, lruDel } from './lru.js';
import { anonVmaPrepare } from './rmap.js';
import { downRead, downWrite } from './locks.js';
import { mmuNotifierInvalidateRangeStart, mmuNotifierInvalidateRangeEnd, type NotifierRange } from './notifier.js';
import { zapPageRange, dropPteReference } from './memory.js';
import { splitVma, vmaMerge } from './mmap.js';
import { vmaAdjustTransHuge } from './huge.js';
import { swapInPage, freeSwapCache } from './swap_state.js';
import { filemapGetPage } from './filemap.js';
import { isolateLruPage, reclaimPages } from './reclaim.js';
import { collapseRange } from './khugepaged.js';
import { KernelError, PAGE_SIZE, TASK_SIZE, assertNever, type Op } from './types.js';

/**
 * madvise(2). The range is validated, then each VMA part it covers gets the advice; holes
 * in the range are skipped and reported as ENOMEM at the end, after the mapped parts were
 * advised (madvise_walk_vmas). A VMA the advice cannot apply to fails the call with
 * EINVAL at that VMA (VMAs before it were already advised).
 *
 * | advice     | Linux                                  | refuses (EINVAL)                         |
 * |------------|----------------------------------------|------------------------------------------|
 * | dontneed   | zap_page_range_single(), CLEAR          | VM_PFNMAP (VM_LOCKED, hugetlb: n/a)      |
 * | free       | madvise_free_single_vma(), CLEAR        | VM_PFNMAP; not vma_is_anonymous()        |
 * | pageout    | madvise_pageout() → reclaim_pages()     | VM_PFNMAP (can_madv_lru_vma)             |
 * | cold       | madvise_cold() → folio_deactivate()     | VM_PFNMAP (can_madv_lru_vma)             |
 * | willneed   | swapin_walk_ops / vfs_fadvise           | —                                        |
 * | hugepage   | hugepage_madvise(), VMA split/merge     | —                                        |
 * | nohugepage | hugepage_madvise(), VMA split/merge     | —                                        |
 * | mergeable  | ksm_madvise() (ignored when incompatible)| —                                       |
 * | collapse   | madvise_collapse() → collapseRange()    | EINVAL/EAGAIN/ENOMEM: khugepaged.ts      |
 *
 * Linux: mm/madvise.c do_madvise() → madvise_walk_vmas() → madvise_vma_behavior()
 */
export type Advice = 'dontneed' | 'free' | 'pageout' | 'cold' | 'willneed' | 'hugepage' | 'nohugepage' | 'mergeable' | 'collapse';

/** Advice that changes VMA flags takes mmap_lock for write. Linux: madvise_need_mmap_write() */
const needsWrite = (a: Advice): boolean => a === 'hugepage' || a === 'nohugepage' || a === 'mergeable';

/**
 * Returns undefined on success or the KernelError Linux returns:
 *  EINVAL  start not page aligned, length overflowing, or a VMA the advice refuses
 *  ENOMEM  part of the range is not mapped (the mapped parts were still advised)
 */
export function* doMadvise(k: Kernel, task: number, mm: Mm, start: number, len: number, advice: Advice): Op<KernelError | undefined> {
  if (start % PAGE_SIZE !== 0) return new KernelError('EINVAL', 'start is not page aligned');
  if (len < 0) return new KernelError('EINVAL', 'negative length');
  len = Math.ceil(len / PAGE_SIZE) * PAGE_SIZE;
  const end = start + len;
  if (end > TASK_SIZE + PAGE_SIZE) return new KernelError('EINVAL', 'range beyond the user address space');
  if (end === start) return undefined;
  const write = needsWrite(advice);
  if (write) yield* downWrite(mm.mmapLock, task); else yield* downRead(mm.mmapLock, task);
  try {
    k.emit({ e: 'madvise', mm: mm.id, start, end, advice });
    let unmapped = false;
    let cur = start;
    while (cur < end) {
      const vma = mm.vmas.find((v) => v.end > cur);
      if (!vma || vma.start >= end) { unmapped = true; break; }
      if (cur < vma.start) { unmapped = true; cur = vma.start; }
      const to = Math.min(end, vma.end);
      const err = yield* madviseVma(k, task, mm, vma, cur, to, advice);
      if (err) return err;
      cur = to;
    }
    return unmapped ? new KernelError('ENOMEM', 'part of the range is not mapped') : undefined;
  } finally {
    if (write) mm.mmapLock.upWrite(task); else mm.mmapLock.upRead(task);
  }
}

/** The advice on [start, end) of one VMA. Linux: madvise_vma_behavior() */
function* madviseVma(k: Kernel, task: number, mm: Mm, vma: Vma, start: number, end: number, advice: Advice): Op<KernelError | undefined> {
  switch (advice) {
    case 'dontneed':
      if (vma.has(VM_PFNMAP)) return new KernelError('EINVAL', 'MADV_DONTNEED on a VM_PFNMAP mapping');
      yield* madviseDontneed(k, task, vma, start, end);
      return undefined;
    case 'free':
      if (vma.has(VM_PFNMAP)) return new KernelError('EINVAL', 'MADV_FREE on a VM_PFNMAP mapping');
      if (!vma.isAnon) return new KernelError('EINVAL', 'MADV_FREE on a mapping that is not private anonymous memory');
      yield* madviseFree(k, task, vma, start, end);
      return undefined;
    case 'pageout':
    case 'cold':
      if (vma.has(VM_PFNMAP)) return new KernelError('EINVAL', `MADV_${advice.toUpperCase()} on a VM_PFNMAP mapping`);
      yield* madviseColdOrPageout(k, task, vma, start, end, advice === 'pageout');
      return undefined;
    case 'willneed':
      yield* madviseWillneed(k, task, vma, start, end);
      return undefined;
    case 'hugepage':
      yield* madviseUpdateVma(k, task, mm, vma, start, end, (vma.flags & ~VM_NOHUGEPAGE) | VM_HUGEPAGE);
      return undefined;
    case 'nohugepage':
      yield* madviseUpdateVma(k, task, mm, vma, start, end, (vma.flags & ~VM_HUGEPAGE) | VM_NOHUGEPAGE);
      return undefined;
    case 'mergeable':
      // ksm_madvise(): an incompatible VMA is silently left alone.
      if (!vmaKsmCompatible(vma)) return undefined;
      yield* madviseUpdateVma(k, task, mm, vma, start, end, vma.flags | VM_MERGEABLE);
      return undefined;
    case 'collapse':
      return yield* madviseCollapse(k, task, mm, vma, start, end);
    default:
      return assertNever(advice, 'madviseVma');
  }
}

/**
 * MADV_COLLAPSE of this VMA's part: khugepaged's synchronous collapse of each whole 2 MiB
 * extent (it drops and retakes mmap_lock; the walk looks VMAs up again by address).
 * Linux: madvise_collapse()
 */
function* madviseCollapse(k: Kernel, task: number, mm: Mm, vma: Vma, start: number, end: number): Op<KernelError | undefined> {
  void vma;
  return yield* collapseRange(k, task, mm, start, end);
}

/** VMAs KSM may merge in. Linux: vma_ksm_compatible() */
function vmaKsmCompatible(vma: Vma): boolean {
  return !vma.has(VM_SHARED | VM_MAYSHARE | VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_MIXEDMAP);
}

/**
 * Gives [start, end) of `vma` the flags `flags`, splitting the VMA at the range's edges
 * and merging the result with compatible neighbours. An edge inside a PMD-mapped THP splits
 * the PMD first (a VMA boundary cannot cut a huge PMD), with its own CLEAR.
 * Linux: madvise_update_vma() → vma_modify_flags() → __split_vma() → vma_adjust_trans_huge()
 */
function* madviseUpdateVma(k: Kernel, task: number, mm: Mm, vma: Vma, start: number, end: number, flags: number): Op<void> {
  if (flags === vma.flags) return;
  yield* vmaAdjustTransHuge(k, task, mm, start, end);
  splitVma(k, mm, start);
  splitVma(k, mm, end);
  const mid = mm.findVma(start)!;
  mid.flags = flags;
  vmaMerge(k, mm, mid);
}

/**
 * MADV_DONTNEED: zap the range under one CLEAR invalidation of this VMA's part; anonymous
 * pages then refault as zero pages or fresh frames, file pages from the page cache.
 * Steps: start, clear, end. Linux: madvise_dontneed_single_vma() → zap_page_range_single()
 */
function* madviseDontneed(k: Kernel, task: number, vma: Vma, start: number, end: number): Op<void> {
  const range: NotifierRange = { mm: vma.mm, start, end, event: 'CLEAR', blockable: true, task };
  yield* mmuNotifierInvalidateRangeStart(k, range);
  if (k.step('start')) yield 'start';
  zapPageRange(k, vma, start, end);
  if (k.step('clear')) yield 'clear';
  yield* mmuNotifierInvalidateRangeEnd(k, range);
  if (k.step('end')) yield 'end';
}

/**
 * MADV_FREE, under one CLEAR invalidation: swap entries are dropped with their slots;
 * each present anonymous page mapped only here becomes lazyfree — its PTE clean and old,
 * PG_dirty cleared, swap copy released, off swap-backing onto the inactive list — so that
 * reclaim discards it without swap unless it is written again first. Shared or locked
 * dirty pages are left alone. THPs are not split (skipped).
 * Steps: start, clear, end. Linux: madvise_free_single_vma() → madvise_free_pte_range(),
 * folio_mark_lazyfree()
 */
function* madviseFree(k: Kernel, task: number, vma: Vma, start: number, end: number): Op<void> {
  const mm = vma.mm, m = k.mem;
  const range: NotifierRange = { mm, start, end, event: 'CLEAR', blockable: true, task };
  yield* mmuNotifierInvalidateRangeStart(k, range);
  if (k.step('start')) yield 'start';
  // The populated PTEs of the range (THPs are skipped: not split).
  mm.walkPtes(start, end, () => {}, (addr, pte) => {
    const kind = pte.bits & PTE_KIND_MASK;
    if (kind === PTE_SWAP) {
      k.setPte(mm, addr, 0, 0);
      dropPteReference(k, vma, pte.pfn, pte.bits);
      return;
    }
    if (!isPresent(pte.bits) || (pte.bits & PTE_SPECIAL) !== 0 || pte.pfn === ZERO_PFN) return;
    const pfn = pte.pfn;
    if (!m.has(pfn, PG_ANON) || m.isHuge(pfn)) return;
    if (m.has(pfn, PG_SWAPCACHE) || m.has(pfn, PG_DIRTY)) {
      if (m.has(pfn, PG_LOCKED) || m.mapcount[pfn] !== 1) return;
      if (m.has(pfn, PG_SWAPCACHE)) {
        freeSwapCache(k, pfn);
        if (m.has(pfn, PG_SWAPCACHE)) return;
      }
      m.clear(pfn, PG_DIRTY);
    }
    if ((pte.bits & (PTE_YOUNG | PTE_DIRTY)) !== 0) k.setPte(mm, addr, pfn, pte.bits & ~(PTE_YOUNG | PTE_DIRTY));
    markLazyfree(k, pfn);
  });
  if (k.step('clear')) yield 'clear';
  yield* mmuNotifierInvalidateRangeEnd(k, range);
  if (k.step('end')) yield 'end';
}

/** Linux: folio_mark_lazyfree() → lru_lazyfree() */
function markLazyfree(k: Kernel, pfn: number): void {
  const m = k.mem;
  if (!m.has(pfn, PG_SWAPBACKED) || m.has(pfn, PG_SWAPCACHE) || !m.has(pfn, PG_LRU)) return;
  lruDel(k, pfn);
  m.clear(pfn, PG_ACTIVE | PG_REFERENCED | PG_SWAPBACKED);
  m.set(pfn, PG_LAZYFREE);
  lruAdd(k, pfn, INACTIVE);
  k.check.frameTouched(pfn);
}

/**
 * MADV_COLD / MADV_PAGEOUT over the present normal pages mapped only here (a page other
 * processes map is left alone). Cold: the PTE made old, PG_referenced cleared, an active
 * page moved to the inactive list (an inactive page stays where it is). Pageout: the
 * pages are isolated and reclaimed at once, references ignored (v6.9+: PTEs are not
 * aged first). No invalidation for cold; pageout's reclaim fires CLEAR per mapping.
 * Linux: madvise_cold_or_pageout_pte_range(), folio_deactivate() / reclaim_pages()
 */
function* madviseColdOrPageout(k: Kernel, task: number, vma: Vma, start: number, end: number, pageout: boolean): Op<void> {
  const mm = vma.mm, m = k.mem;
  const isolated: number[] = [];
  // The populated PTEs of the range (THPs are skipped).
  mm.walkPtes(start, end, () => {}, (addr, pte) => {
    if (!isPresent(pte.bits) || (pte.bits & PTE_SPECIAL) !== 0 || pte.pfn === ZERO_PFN) return;
    const pfn = pte.pfn;
    if (m.isHuge(pfn) || !m.has(pfn, PG_LRU) || m.mapcount[pfn] !== 1) return;
    if (!pageout && (pte.bits & PTE_YOUNG) !== 0) k.setPte(mm, addr, pfn, pte.bits & ~PTE_YOUNG);
    m.clear(pfn, PG_REFERENCED);
    if (pageout) {
      if (isolateLruPage(k, pfn)) {
        k.emit({ e: 'reclaim', pfn, result: 'isolated' });
        isolated.push(pfn);
      }
    } else if (m.has(pfn, PG_ACTIVE)) {
      lruDel(k, pfn);
      lruAdd(k, pfn, INACTIVE);
      k.emit({ e: 'reclaim', pfn, result: 'deactivated' });
    }
  });
  if (!pageout) return;
  if (k.step('isolate')) yield 'isolate';
  yield* reclaimPages(k, task, isolated);
  void ACTIVE;
}

/**
 * MADV_WILLNEED: read ahead without mapping. Anonymous memory: each swap entry's page is
 * read into the swap cache (filed under the anon_vma the fault would use, so rmap finds it);
 * a file: its pages are read into the page cache; shmem: swapped pages come back into the
 * page cache (mmspec has no shmem swap cache). Driver VMAs: nothing.
 * Linux: madvise_willneed() → swapin_walk_ops / shmem_swapin_range() / vfs_fadvise(WILLNEED)
 */
function* madviseWillneed(k: Kernel, task: number, vma: Vma, start: number, end: number): Op<void> {
  const mm = vma.mm, m = k.mem;
  if (vma.ops) return;
  if (vma.file) {
    const f = vma.file;
    for (let addr = start; addr < end; addr += PAGE_SIZE) {
      const index = vma.linearIndex(addr);
      if (index >= f.pages) break;
      if (f.shmem && !f.swapped.has(index)) continue;
      yield* filemapGetPage(k, task, f, index);
    }
    return;
  }
  // The populated addresses, each read again when its turn comes (a swap-in may reclaim:
  // a present PTE may be a swap entry by then, a none PTE stays none).
  const populated: number[] = [];
  mm.walkPtes(start, end, () => {}, (addr) => { populated.push(addr); });
  for (const addr of populated) {
    const pte = mm.pte(addr);
    if ((pte.bits & PTE_KIND_MASK) !== PTE_SWAP) continue;
    const got = yield* swapInPage(k, task, pte.pfn);
    if (!got || !got.fresh) continue;
    // __folio_set_anon() would run at the first mapping: file it now, as do_swap_page() will.
    anonVmaPrepare(k, vma);
    let av = vma.anonVmas[0]!;
    if ((pte.bits & PTE_EXCLUSIVE) === 0) while (av.parent) av = av.parent;
    m.owner[got.pfn] = av.id;
    m.index[got.pfn] = vma.linearIndex(addr);
    // The allocation's reference: nobody maps the page, the swap cache keeps its own.
    k.putPage(got.pfn);
  }
}
