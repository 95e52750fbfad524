import type { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import { Vma } from './vma.js';
import { unmapRange, vmaMerge } from './mmap.js';
import { anonVmaClone } from './rmap.js';
import { downWrite } from './locks.js';
import { vmaAdjustTransHuge, splitHugePmd } from './huge.js';
import { mmuNotifierInvalidateRangeStart, mmuNotifierInvalidateRangeEnd, type NotifierRange } from './notifier.js';
import { KernelError, PAGE_SIZE, HPAGE_PMD_SIZE, TASK_SIZE, bug, type Op } from './types.js';

/**
 * mremap(old, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, new): moves a mapping, contents and
 * all, to `newAddr`, replacing whatever was mapped there. Returns the new address or:
 *   EINVAL  `oldStart` or `newAddr` not page aligned, a zero length, the new range beyond
 *           the user address space, or old and new ranges overlapping;
 *   EFAULT  no VMA at `oldStart`; or the old range does not lie within one VMA (spans
 *           several VMAs or a hole: v6.6–v6.10) — found only AFTER the new range has been
 *           unmapped, as in Linux.
 * VM_DONTEXPAND/VM_PFNMAP VMAs may move (they only refuse to grow). Anonymous pages keep
 * their anon_vma and index: the new VMA's pgoff is the old one's, so rmap finds them at
 * the new address. KSM pages are not unmerged first (Linux's ksm_madvise(UNMERGEABLE)).
 * Steps: those of the munmap of the new range, then `start` (UNMAP on the old range),
 * `clear` (PTEs moved), `end`, then those of the munmap of the old range.
 * Linux: mremap() → mremap_to() → vma_to_resize(), move_vma() → copy_vma(), move_page_tables()
 */
export function* doMremap(k: Kernel, task: number, mm: Mm, oldStart: number, oldLen: number, newAddr: number): Op<number | KernelError> {
  if (oldStart % PAGE_SIZE !== 0) return new KernelError('EINVAL', 'old address is not page aligned');
  const len = Math.ceil(oldLen / PAGE_SIZE) * PAGE_SIZE;
  if (len === 0) return new KernelError('EINVAL', 'length is zero');
  yield* downWrite(mm.mmapLock, task);
  try {
    if (!mm.findVma(oldStart)) return new KernelError('EFAULT', 'no VMA at the old address');
    if (newAddr % PAGE_SIZE !== 0) return new KernelError('EINVAL', 'new address is not page aligned');
    if (len > TASK_SIZE || newAddr > TASK_SIZE - len) return new KernelError('EINVAL', 'new range beyond the user address space');
    if (oldStart + len > newAddr && newAddr + len > oldStart) return new KernelError('EINVAL', 'old and new ranges overlap');
    k.emit({ e: 'mremap', mm: mm.id, from: oldStart, to: newAddr, len });
    // MREMAP_FIXED: the new range is unmapped before the old one is checked.
    yield* unmapRange(k, task, mm, newAddr, newAddr + len);
    const vma = mm.findVma(oldStart);
    if (!vma) return new KernelError('EFAULT', 'no VMA at the old address');
    if (oldStart + len > vma.end) return new KernelError('EFAULT', 'old range is not within one VMA');
    yield* splitUnmovableHugePmds(k, task, mm, oldStart, newAddr, len);
    const moved = copyVma(k, mm, vma, oldStart, newAddr, len);
    yield* movePageTables(k, task, mm, oldStart, newAddr, len);
    yield* unmapRange(k, task, mm, oldStart, oldStart + len);
    if (mm.vmas.includes(moved)) vmaMerge(k, mm, moved);
    return newAddr;
  } finally {
    mm.mmapLock.upWrite(task);
  }
}

/**
 * THPs that cannot move as one PMD — cut by the old range's edges, or headed for an
 * address that is not 2 MiB aligned — are split into PTEs first. Linux does the latter
 * inside move_page_tables (split_huge_pmd under the UNMAP range); mmspec does it just
 * before, with the split's own CLEAR. Linux: vma_adjust_trans_huge(), split_huge_pmd()
 */
function* splitUnmovableHugePmds(k: Kernel, task: number, mm: Mm, oldStart: number, newAddr: number, len: number): Op<void> {
  yield* vmaAdjustTransHuge(k, task, mm, oldStart, oldStart + len);
  if ((newAddr - oldStart) % HPAGE_PMD_SIZE === 0) return;
  for (let base = oldStart - (oldStart % HPAGE_PMD_SIZE); base < oldStart + len; base += HPAGE_PMD_SIZE) {
    const vma = mm.findVma(Math.max(base, oldStart));
    if (vma && mm.hugePmd(base).bits !== 0) yield* splitHugePmd(k, task, vma, Math.max(base, oldStart));
  }
}

/**
 * The VMA at the new place: same flags, file and ops, the page offset of the moved part,
 * and the same anon_vmas; the driver hears of it through vm_ops->open.
 * Linux: copy_vma() (its merge attempt is done by the caller once the old range is gone)
 */
function copyVma(k: Kernel, mm: Mm, vma: Vma, oldStart: number, newAddr: number, len: number): Vma {
  const pgoff = vma.pgoff + (oldStart - vma.start) / PAGE_SIZE;
  const nv = new Vma(mm, newAddr, newAddr + len, vma.flags, pgoff, vma.file, vma.ops, vma.priv);
  anonVmaClone(nv, vma);
  mm.insertVma(nv);
  vma.file?.mappings.add(nv);
  nv.ops?.open?.(nv);
  void k;
  return nv;
}

/**
 * Moves every entry of [oldStart, oldStart+len) to the same offset from `newAddr`, inside
 * one UNMAP invalidation of the old range (secondary MMUs must forget the old addresses).
 * Pages keep their counts: a mapping moves, none is added or dropped. A huge PMD moves
 * whole (the caller has split those that cannot). Linux: move_page_tables(), move_ptes(), move_huge_pmd()
 */
function* movePageTables(k: Kernel, task: number, mm: Mm, oldStart: number, newAddr: number, len: number): Op<void> {
  const range: NotifierRange = { mm, start: oldStart, end: oldStart + len, event: 'UNMAP', blockable: true, task };
  yield* mmuNotifierInvalidateRangeStart(k, range);
  if (k.step('start')) yield 'start';
  const oldEnd = oldStart + len;
  const delta = newAddr - oldStart;
  mm.walkPtes(oldStart, oldEnd,
    (base, huge) => {
      if (base < oldStart || base + HPAGE_PMD_SIZE > oldEnd || (base + delta) % HPAGE_PMD_SIZE !== 0) {
        bug('movePageTables: a huge PMD that cannot move whole was not split');
      }
      k.setPmd(mm, base, 0, 0);
      k.setPmd(mm, base + delta, huge.pfn, huge.bits);
    },
    (addr, pte) => {
      k.setPte(mm, addr, 0, 0);
      k.setPte(mm, addr + delta, pte.pfn, pte.bits);
    });
  if (k.step('clear')) yield 'clear';
  yield* mmuNotifierInvalidateRangeEnd(k, range);
  if (k.step('end')) yield 'end';
}
