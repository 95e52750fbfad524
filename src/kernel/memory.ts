import type { Kernel } from './kernel.js';
import { VM_PFNMAP, VM_MIXEDMAP, VM_WRITE, type Vma, type VmFault } from './vma.js';
import {
  PTE_KIND_MASK, PTE_PRESENT, PTE_SWAP, PTE_MIGRATION, PTE_DEVICE, PTE_SPECIAL, PTE_DIRTY,
  PTE_WRITE, PTE_YOUNG,
} from './pte.js';
import { mmuNotifierInvalidateRangeStart, mmuNotifierInvalidateRangeEnd, type NotifierRange } from './notifier.js';
import { PG_ANON, PG_DIRTY, PG_RESERVED, ZERO_PFN } from './frames.js';
import { pageRemoveRmap } from './rmap.js';
import { swapFree, freeSwapCache } from './swap_state.js';
import { zapHugePmd } from './huge.js';
import { bug, type Op, type Value } from './types.js';
import type { Mm } from './mm.js';

/**
 * Clears every PTE of `vma` in [start, end) and drops what each held: a normal page's
 * mapcount and reference (a dirty file page is marked dirty first), a swap entry's slot.
 * Special PTEs (zero page, PFNMAP) are only cleared: they hold nothing. No notifier here:
 * callers wrap it in the invalidation their operation fires.
 * Linux: zap_page_range_single() → unmap_page_range() → zap_pte_range()
 */
export function zapPageRange(k: Kernel, vma: Vma, start: number, end: number): number {
  const mm = vma.mm;
  let cleared = 0;
  mm.walkPtes(start, end,
    (base) => { cleared += zapHugePmd(k, vma, base, start, end); },
    (addr, pte) => {
      k.setPte(mm, addr, 0, 0);
      cleared++;
      dropPteReference(k, vma, pte.pfn, pte.bits);
    });
  return cleared;
}

/** What a cleared PTE held, released. Linux: the body of zap_pte_range() */
export function dropPteReference(k: Kernel, vma: Vma, pfn: number, bits: number): void {
  switch (bits & PTE_KIND_MASK) {
    case PTE_PRESENT: {
      if ((bits & PTE_SPECIAL) !== 0 || pfn === ZERO_PFN) return;
      if (!k.mem.isAllocated(pfn)) {
        // A PTE to a freed frame (a broken driver's): nothing to drop, the checker reports it.
        return;
      }
      if ((bits & PTE_DIRTY) !== 0 && !k.mem.has(pfn, PG_ANON)) k.mem.set(pfn, PG_DIRTY);
      pageRemoveRmap(k, pfn);
      k.putPage(pfn);
      return;
    }
    case PTE_SWAP: {
      swapFree(k, pfn);
      const cached = k.swap.cache.get(pfn);
      if (cached !== undefined) freeSwapCache(k, cached);
      return;
    }
    case PTE_MIGRATION:
      // The migration holds the page; remove_migration_ptes() will find nothing here.
      return;
    case PTE_DEVICE:
      pageRemoveRmap(k, pfn);
      k.putPage(pfn);
      return;
    default:
      void vma;
  }
}

/**
 * Zaps [start, end) of one VMA, telling the VMA's mm's secondary MMUs first (CLEAR).
 * Returns how many entries were cleared. Linux: zap_page_range_single()
 */
export function* zapPageRangeSingle(k: Kernel, vma: Vma, start: number, end: number, task: number): Op<number> {
  const range: NotifierRange = { mm: vma.mm, start, end, event: 'CLEAR', blockable: true, task };
  yield* mmuNotifierInvalidateRangeStart(k, range);
  const n = zapPageRange(k, vma, start, end);
  yield* mmuNotifierInvalidateRangeEnd(k, range);
  return n;
}

/**
 * A driver removes the PTEs it inserted in [start, end). Only for VM_PFNMAP VMAs wholly
 * containing the range: anything else is silently refused (returns 0), as Linux does.
 * Linux: zap_vma_ptes()
 */
export function* zapVmaPtes(k: Kernel, vma: Vma, start: number, end: number, task: number): Op<number> {
  if (!vma.has(VM_PFNMAP) || start < vma.start || end > vma.end) return 0;
  return yield* zapPageRangeSingle(k, vma, start, end, task);
}

/**
 * Installs a special PTE for `pfn` with the protection `prot` (PTE bits from the
 * driver) in a VM_PFNMAP/VM_MIXEDMAP VMA: no reference, no mapcount, invisible to rmap.
 * An entry already there is left alone, except that `mkwrite` makes the same pfn
 * writable, young and dirty. Linux: vmf_insert_pfn_prot(), vmf_insert_mixed_mkwrite() →
 * insert_pfn() (x86 has pte_special, so MIXEDMAP inserts are special too)
 */
export function vmfInsertPfnProt(k: Kernel, vma: Vma, addr: number, pfn: number, prot: number, mkwrite: boolean): VmFault {
  if (!vma.has(VM_PFNMAP | VM_MIXEDMAP)) bug('vmfInsertPfnProt: VMA is neither VM_PFNMAP nor VM_MIXEDMAP');
  const cur = vma.mm.pte(addr);
  const mk = (bits: number) => bits | PTE_YOUNG | PTE_DIRTY | (vma.has(VM_WRITE) ? PTE_WRITE : 0);
  if (cur.bits !== 0) {
    if (mkwrite && (cur.bits & PTE_KIND_MASK) === PTE_PRESENT && cur.pfn === pfn) k.setPte(vma.mm, addr, pfn, mk(cur.bits));
    return 'nopage';
  }
  const bits = PTE_PRESENT | PTE_SPECIAL | (prot & ~PTE_KIND_MASK);
  k.setPte(vma.mm, addr, pfn, mkwrite ? mk(bits) : bits);
  return 'nopage';
}

/**
 * Marks the page (its folio: a THP's head) dirty, for a driver that lets a device or a
 * secondary mapping write it. Reclaim and writeback judge a page by PG_dirty and by the
 * dirty bits of the PTEs rmap finds; a write through a special PTE or a device page table
 * sets neither, so without this a clean page (shmem, a shared file page, a swap-cache
 * page) is dropped and the write lost. The zero page and free frames are ignored.
 * Linux: folio_mark_dirty(), as set_page_dirty_lock() by GUP-for-write users and
 * kvm_set_page_dirty() do
 */
export function folioMarkDirty(k: Kernel, pfn: number): void {
  const m = k.mem;
  if (!m.isAllocated(pfn) || m.has(pfn, PG_RESERVED)) return;
  const head = m.headOf(pfn);
  m.set(head, PG_DIRTY);
  k.check.frameTouched(head);
}

/**
 * The content of the page at `addr` of `mm`, wherever it is — a frame (present,
 * migration or device entry), the swap cache or a swap slot, the page cache, a shmem swap
 * entry, the file — read without faulting anything in. A driver's VMA answers for itself
 * (vm_ops->peek). undefined when no VMA covers `addr`; an untouched anonymous page is 0.
 * Linux: what access_remote_vm() would read, minus the fault
 */
export function pageContent(k: Kernel, mm: Mm, addr: number): Value | undefined {
  const pte = mm.pte(addr);
  switch (pte.bits & PTE_KIND_MASK) {
    case PTE_PRESENT: case PTE_MIGRATION: case PTE_DEVICE:
      return k.mem.value[pte.pfn] ?? 0;
    case PTE_SWAP: {
      const cached = k.swap.cache.get(pte.pfn);
      return cached !== undefined ? (k.mem.value[cached] ?? 0) : (k.swap.content[pte.pfn] ?? 0);
    }
  }
  const vma = mm.findVma(addr);
  if (!vma) return undefined;
  if (vma.ops?.peek) return vma.ops.peek(vma, addr);
  if (vma.file) {
    const f = vma.file;
    const index = vma.linearIndex(addr);
    const cached = f.cache.get(index);
    if (cached !== undefined) return k.mem.value[cached] ?? 0;
    const slot = f.swapped.get(index);
    if (slot !== undefined) return k.swap.content[slot] ?? 0;
    return f.diskValue(index);
  }
  return 0;
}
