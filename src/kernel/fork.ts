import type { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import { Vma, VM_DONTCOPY, VM_PFNMAP, VM_MIXEDMAP, VM_SHARED } from './vma.js';
import {
  PTE_KIND_MASK, PTE_PRESENT, PTE_SWAP, PTE_MIGRATION, PTE_DEVICE, PTE_NONE, PTE_WRITE, PTE_DIRTY, PTE_YOUNG,
  PTE_SPECIAL, PTE_EXCLUSIVE, isPresent, type PteValue,
} from './pte.js';
import { PG_ANON_EXCLUSIVE, ZERO_PFN } from './frames.js';
import { anonVmaClone, anonVmaLink, pageDupRmap } from './rmap.js';
import { downWrite } from './locks.js';
import { mmuNotifierInvalidateRangeStart, mmuNotifierInvalidateRangeEnd, type NotifierRange } from './notifier.js';
import { asSlot, assertNever, type Op } from './types.js';

/**
 * fork()'s half of the MM: the child gets a copy of every VMA the parent does not mark
 * VM_DONTCOPY, linked into the parent's anon_vmas plus one of its own, and the page
 * tables of those VMAs that need them (vma_needs_copy). A COW mapping is write-protected
 * in parent and child under a PROTECTION_PAGE invalidation of the parent's range, so that
 * the first write on either side faults and copies (or reuses). The child starts with no
 * notifier subscriptions (mm_init).
 *
 * Steps per COW VMA copied: `start` (PROTECTION_PAGE on the parent), `clear` (PTEs
 * write-protected and copied), `end`. Holds the parent's mmap_lock for write throughout.
 *
 * Linux: kernel_clone() → copy_mm() → dup_mmap() → anon_vma_fork(), copy_page_range()
 */
export function* doFork(k: Kernel, task: number, parent: Mm, childPid: number): Op<Mm> {
  yield* downWrite(parent.mmapLock, task);
  try {
    const child = k.createMm(childPid);
    k.emit({ e: 'fork', parent: parent.id, child: child.id });
    for (const src of [...parent.vmas]) {
      if (src.has(VM_DONTCOPY)) continue;
      const dst = dupVma(k, child, src);
      if (vmaNeedsCopy(src)) yield* copyPageRange(k, task, dst, src);
    }
    return child;
  } finally {
    parent.mmapLock.upWrite(task);
  }
}

/**
 * The child's copy of `src`: same range, flags, offset, file and ops; linked into the
 * file's i_mmap and the anon_vma tree; the driver hears of it through vm_ops->open.
 * Linux: vm_area_dup(), anon_vma_fork(), vma_interval_tree_insert_after(), vm_ops->open()
 */
function dupVma(k: Kernel, child: Mm, src: Vma): Vma {
  const vma = new Vma(child, src.start, src.end, src.flags, src.pgoff, src.file, src.ops, src.priv);
  anonVmaFork(k, vma, src);
  child.insertVma(vma);
  src.file?.mappings.add(vma);
  vma.ops?.open?.(vma);
  return vma;
}

/**
 * The child VMA joins every anon_vma of the parent's VMA (so rmap of the pages they now
 * share finds both), and gets an anon_vma of its own, child of the parent's, for the
 * pages it will COW. Nothing happens for a parent VMA that never had an anon_vma.
 * mmspec never reuses an idle anon_vma (Linux may, to bound the chain length).
 * Linux: anon_vma_fork()
 */
export function anonVmaFork(k: Kernel, vma: Vma, pvma: Vma): void {
  const parentOwn = pvma.anonVmas[0];
  if (!parentOwn) return;
  anonVmaLink(vma, k.newAnonVma(parentOwn));
  anonVmaClone(vma, pvma);
}

/**
 * Whether fork must copy the page tables, or page faults can fill them in later: only
 * VMAs with anonymous pages (an anon_vma) or raw pfns (PFNMAP/MIXEDMAP, which a fault
 * could not recreate). A shared or read-only-touched private mapping copies nothing.
 * Linux: vma_needs_copy()
 */
export function vmaNeedsCopy(src: Vma): boolean {
  return src.has(VM_PFNMAP | VM_MIXEDMAP) || src.anonVmas.length > 0;
}

/**
 * Copies the page tables of `src` into `dst`. For a COW mapping (private, may write) the
 * parent's whole VMA range is invalidated with PROTECTION_PAGE around the copy, because
 * its writable PTEs become read-only. Linux: copy_page_range()
 */
export function* copyPageRange(k: Kernel, task: number, dst: Vma, src: Vma): Op<void> {
  const cow = src.isCow;
  const range: NotifierRange = { mm: src.mm, start: src.start, end: src.end, event: 'PROTECTION_PAGE', blockable: true, task };
  if (cow) {
    yield* mmuNotifierInvalidateRangeStart(k, range);
    if (k.step('start')) yield 'start';
  }
  const mm = src.mm;
  mm.walkPtes(src.start, src.end,
    (base, huge) => copyHugePmd(k, dst, src, base, huge, cow),
    (addr, pte) => copyOnePte(k, dst, src, addr, pte, cow));
  if (cow) {
    if (k.step('clear')) yield 'clear';
    yield* mmuNotifierInvalidateRangeEnd(k, range);
    if (k.step('end')) yield 'end';
  }
}

/**
 * One PTE into the child. Present: a normal page gains a mapping and a reference and
 * stops being exclusive (both sides must COW); a COW mapping's writable PTE is
 * write-protected in the parent and the child; the child's copy is old (and clean in a
 * shared mapping). Special PTEs (zero page, PFNMAP) are copied as they are: they hold no
 * reference. A swap entry takes another use of its slot and loses its exclusive mark.
 * A writable migration or device-private entry of a COW mapping becomes read-only on
 * both sides; a device-private page gains a mapping like a present one.
 * Linux: copy_present_pte(), copy_nonpresent_pte()
 */
function copyOnePte(k: Kernel, dst: Vma, src: Vma, addr: number, pte: PteValue, cow: boolean): void {
  const m = k.mem;
  const { pfn } = pte;
  let bits = pte.bits;
  const kind = bits & PTE_KIND_MASK;
  switch (kind) {
    case PTE_PRESENT: {
      if ((bits & PTE_SPECIAL) === 0 && pfn !== ZERO_PFN && m.isAllocated(pfn)) {
        // page_try_dup_anon_rmap() / page_dup_file_rmap(); mmspec does not model the
        // copy Linux makes instead when an exclusive page may be DMA-pinned.
        pageDupRmap(k, pfn);
        m.clear(m.headOf(pfn), PG_ANON_EXCLUSIVE);
      }
      if (cow && (bits & PTE_WRITE) !== 0) {
        bits &= ~PTE_WRITE;
        k.setPte(src.mm, addr, pfn, bits);
      }
      if (src.has(VM_SHARED)) bits &= ~PTE_DIRTY;
      k.setPte(dst.mm, addr, pfn, bits & ~PTE_YOUNG);
      return;
    }
    case PTE_SWAP: {
      k.swap.dup(asSlot(pfn));
      if ((bits & PTE_EXCLUSIVE) !== 0) {
        bits &= ~PTE_EXCLUSIVE;
        k.setPte(src.mm, addr, pfn, bits);
      }
      k.setPte(dst.mm, addr, pfn, bits);
      return;
    }
    case PTE_MIGRATION:
    case PTE_DEVICE: {
      if (kind === PTE_DEVICE) {
        pageDupRmap(k, pfn);
        m.clear(m.headOf(pfn), PG_ANON_EXCLUSIVE);
      }
      if (cow && (bits & (PTE_WRITE | PTE_EXCLUSIVE)) !== 0) {
        bits &= ~(PTE_WRITE | PTE_EXCLUSIVE);
        k.setPte(src.mm, addr, pfn, bits);
      }
      k.setPte(dst.mm, addr, pfn, bits);
      return;
    }
    case PTE_NONE:
      return;
    default:
      return assertNever(kind as never, 'copyOnePte');
  }
}

/**
 * A PMD-mapped THP is shared with the child as a whole (one more PMD mapping of the head),
 * write-protected on both sides in a COW mapping. Linux: copy_huge_pmd()
 */
function copyHugePmd(k: Kernel, dst: Vma, src: Vma, base: number, huge: PteValue, cow: boolean): void {
  if (!isPresent(huge.bits)) return;
  let bits = huge.bits;
  if (huge.pfn !== ZERO_PFN && (bits & PTE_SPECIAL) === 0) {
    pageDupRmap(k, huge.pfn);
    k.mem.clear(k.mem.headOf(huge.pfn), PG_ANON_EXCLUSIVE);
  }
  if (cow && (bits & PTE_WRITE) !== 0) {
    bits &= ~PTE_WRITE;
    k.setPmd(src.mm, base, huge.pfn, bits);
  }
  if (src.has(VM_SHARED)) bits &= ~PTE_DIRTY;
  k.setPmd(dst.mm, base, huge.pfn, bits & ~PTE_YOUNG);
}
