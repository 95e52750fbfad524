import { PageTable, PUD_SPAN, type PtePage } from './pagetable.js';
import { PTE_NONE, type PteValue } from './pte.js';
import { MmNotifiers } from './notifier.js';
import { Mutex, RwSem } from './locks.js';
import { HPAGE_PMD_SIZE, type HasAttached } from './types.js';
import type { Vma } from './vma.js';

/**
 * An address space: sorted, non-overlapping VMAs, a page table, mmap_lock, the
 * page-table lock and the notifier subscriptions. Linux: struct mm_struct
 */
export class Mm implements HasAttached {
  readonly pt = new PageTable();
  /** Sorted by start, non-overlapping (the maple tree). */
  readonly vmas: Vma[] = [];
  readonly mmapLock: RwSem;
  /** The page-table lock (split per PMD in Linux; one per mm here). */
  readonly ptl: Mutex;
  readonly notifiers = new MmNotifiers();
  /** Per-mm state of other modules (see HasAttached). */
  readonly attached = new Map<object, unknown>();
  /** mm_users: the mm is torn down (exit_mmap) when it drops to zero. */
  users = 1;
  /** exit_mmap has run (or the OOM reaper has reaped it: MMF_OOM_SKIP). */
  dead = false;
  oomReaped = false;
  /**
   * The OOM killer sent the owning task SIGKILL: it never returns to user space again, so
   * it makes no further access or system call. Linux: __oom_kill_process() →
   * do_send_sig_info(SIGKILL), mark_oom_victim(); fatal_signal_pending()
   */
  oomKilled = false;

  constructor(readonly id: number) {
    this.mmapLock = new RwSem(`mmap_lock of mm ${id}`);
    this.ptl = new Mutex(`ptl of mm ${id}`);
  }

  /** The VMA containing `addr`, if any. Linux: vma_lookup() */
  findVma(addr: number): Vma | undefined {
    const v = this.vmas;
    let lo = 0, hi = v.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const m = v[mid]!;
      if (addr < m.start) hi = mid - 1;
      else if (addr >= m.end) lo = mid + 1;
      else return m;
    }
    return undefined;
  }

  /** VMAs overlapping [start, end), in address order. */
  vmasIn(start: number, end: number): Vma[] {
    return this.vmas.filter((v) => v.start < end && start < v.end);
  }

  insertVma(vma: Vma): void {
    // Binary search for the first VMA starting at or after vma.start.
    let lo = 0, hi = this.vmas.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.vmas[mid]!.start < vma.start) lo = mid + 1; else hi = mid;
    }
    this.vmas.splice(lo, 0, vma);
  }

  removeVma(vma: Vma): void {
    const i = this.vmas.indexOf(vma);
    if (i >= 0) this.vmas.splice(i, 1);
  }

  /** The lowest gap of `len` bytes at or above `from` (get_unmapped_area, bottom-up). */
  unmappedArea(from: number, len: number, align: number, guard: number): number {
    let addr = Math.ceil(from / align) * align;
    for (const v of this.vmas) {
      if (v.end + guard <= addr) continue;
      if (addr + len + guard <= v.start) break;
      addr = Math.ceil((v.end + guard) / align) * align;
    }
    return addr;
  }

  /**
   * The entry mapping `addr`: a PTE, or for a PMD-mapped THP the subpage's pfn with
   * PMD_HUGE set. Linux: the walk of follow_page / page_vma_mapped_walk
   */
  pte(addr: number): PteValue {
    return this.pteInto(addr, { pfn: 0, bits: PTE_NONE });
  }

  /** pte() into a caller's object, for hot paths that must not allocate; returns `out`. */
  pteInto(addr: number, out: { pfn: number; bits: number }): PteValue {
    return this.pt.readInto(addr, out);
  }

  /**
   * For reading many PTEs of one 2 MiB region: its PTE page (entry i of `addr` is at
   * PageTable.pteIndex(addr)), undefined when the region has none (every entry reads as
   * none), or null when a huge PMD maps it (read those with pteInto). Valid until the
   * page table changes.
   */
  ptePageForRead(addr: number): PtePage | undefined | null {
    const pmd = this.pt.pmdPage(addr, false);
    if (!pmd) return undefined;
    const mi = PageTable.pmdIndex(addr);
    if (pmd.hugeBits[mi]! !== 0) return null;
    return pmd.ptes.get(mi);
  }

  /** hugePmd(addr).bits without an object. */
  hugePmdBits(addr: number): number {
    const pmd = this.pt.pmdPage(addr, false);
    return pmd ? pmd.hugeBits[PageTable.pmdIndex(addr)]! : 0;
  }

  /**
   * Visits the populated entries of [start, end) in address order: each huge PMD once
   * (`onHuge` with its 2 MiB base), each non-none PTE of a PTE page (`onPte`). Empty PMDs
   * and empty PTE pages are skipped, and a 1 GiB slot without a PMD page at once: the walk
   * costs what the range has populated, not its size. The callbacks may change the entries
   * they are given. Linux: walk_page_range() with pmd_entry / pte_entry (mm/pagewalk.c)
   */
  walkPtes(start: number, end: number, onHuge: (base: number, pmd: PteValue) => void, onPte: (addr: number, pte: PteValue) => void): void {
    for (let base = start - (start % HPAGE_PMD_SIZE); base < end; base += HPAGE_PMD_SIZE) {
      const pmd = this.pt.pmdPage(base, false);
      if (!pmd) {
        base = base - (base % PUD_SPAN) + PUD_SPAN - HPAGE_PMD_SIZE;
        continue;
      }
      const mi = PageTable.pmdIndex(base);
      if (pmd.hugeBits[mi]! !== 0) {
        onHuge(base, { pfn: pmd.hugePfn[mi]!, bits: pmd.hugeBits[mi]! });
        continue;
      }
      const page = pmd.ptes.get(mi);
      if (!page || page.used === 0) continue;
      const hi = Math.min(end, base + HPAGE_PMD_SIZE);
      for (let addr = Math.max(start, base); addr < hi; addr += 4096) {
        const pte = this.pte(addr);
        if (pte.bits !== PTE_NONE) onPte(addr, pte);
      }
    }
  }

  /** The huge PMD entry covering `addr` (bits 0 when none). */
  hugePmd(addr: number): PteValue {
    const pmd = this.pt.pmdPage(addr, false);
    if (!pmd) return { pfn: 0, bits: 0 };
    const mi = PageTable.pmdIndex(addr);
    return { pfn: pmd.hugePfn[mi]!, bits: pmd.hugeBits[mi]! };
  }
}
