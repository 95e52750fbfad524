import type { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import { VM_PFNMAP, VM_IO, VM_MIXEDMAP, VM_ACCESS, VM_READ, VM_WRITE, type Vma } from './vma.js';
import { isPresent, PTE_SPECIAL, PTE_PROTNONE } from './pte.js';
import { ZERO_PFN, PG_KSM, PG_DEVICE_PRIVATE, PG_ANON, PG_DIRTY } from './frames.js';
import { downRead } from './locks.js';
import { mmuNotifierInvalidateRangeStart, mmuNotifierInvalidateRangeEnd, type NotifierRange } from './notifier.js';
import { hugeBase, splitHugePmd } from './huge.js';
import { HPAGE_PMD_SIZE, type Op } from './types.js';

/**
 * NUMA hinting: the scanner makes the present PTEs of [start, end) PROT_NONE-hinting
 * (protnone), so that the next access faults into do_numa_page (fault.ts), which restores
 * the protection. Per VMA, under mmap_lock for read:
 *  - skipped: VM_PFNMAP/VM_IO (vma_migratable), VM_MIXEDMAP, inaccessible VMAs, and
 *    read-only file mappings (shared libraries), as task_numa_work() skips them;
 *  - PROTECTION_VMA is started only once a populated PMD is found, from that PMD (clipped
 *    to the range) to the end of the range, and ended after the walk: an empty range
 *    fires nothing (change_pmd_range);
 *  - a PTE is left alone when it is not a normal page (special, zero page), already
 *    protnone, a KSM or device page, a shared COW page (refcount ≠ 1), or a dirty file
 *    page (change_pte_range with MM_CP_PROT_NUMA);
 *  - a huge PMD wholly inside the range becomes protnone as one entry (change_huge_pmd;
 *    the huge zero page is skipped); one the range cuts is split first.
 * The protnone PTE keeps its write bit, which do_numa_page uses to restore writability
 * (v6.x recomputes it with can_change_pte_writable(); the outcome is the same for the
 * exclusive pages this writes to). mmspec has one node and ignores the "page already on
 * the target node" skip, which on one node would make the scan a no-op.
 * Steps: start, clear, end per VMA with a populated PMD.
 * Linux: task_numa_work() → change_prot_numa() → change_protection(MM_CP_PROT_NUMA)
 */
export function* changeProtNuma(k: Kernel, task: number, mm: Mm, start: number, end: number): Op<void> {
  yield* downRead(mm.mmapLock, task);
  try {
    for (const vma of mm.vmasIn(start, end)) {
      if (!numaScannable(vma)) continue;
      yield* changeProtNumaVma(k, task, vma, Math.max(start, vma.start), Math.min(end, vma.end));
    }
  } finally {
    mm.mmapLock.upRead(task);
  }
}

/** Linux: the VMA filter of task_numa_work() (vma_migratable(), vma_is_accessible(), …) */
function numaScannable(vma: Vma): boolean {
  if (vma.has(VM_PFNMAP | VM_IO | VM_MIXEDMAP) || vma.ops) return false;
  if (!vma.has(VM_ACCESS)) return false;
  if (vma.file && !vma.file.shmem && (vma.flags & (VM_READ | VM_WRITE)) === VM_READ) return false;
  return true;
}

function* changeProtNumaVma(k: Kernel, task: number, vma: Vma, start: number, end: number): Op<void> {
  const mm = vma.mm;
  // Huge PMDs the range cuts are split before the walk (change_pmd_range → __split_huge_pmd).
  for (const edge of [start, end - 1]) {
    const base = hugeBase(edge);
    const pmd = mm.hugePmd(base);
    if (pmd.bits !== 0 && (base < start || base + HPAGE_PMD_SIZE > end)) yield* splitHugePmd(k, task, vma, edge);
  }
  const first = firstPopulated(mm, start, end);
  if (first === undefined) return;
  const range: NotifierRange = { mm, start: Math.max(start, first), end, event: 'PROTECTION_VMA', blockable: true, task };
  yield* mmuNotifierInvalidateRangeStart(k, range);
  if (k.step('start')) yield 'start';
  mm.walkPtes(start, end,
    (base, pmd) => {
      if (pmd.pfn !== ZERO_PFN && (pmd.bits & PTE_PROTNONE) === 0 && !k.mem.has(pmd.pfn, PG_KSM)) {
        k.setPmd(mm, base, pmd.pfn, pmd.bits | PTE_PROTNONE);
      }
    },
    (addr, pte) => {
      if (numaHintable(k, vma, pte.pfn, pte.bits)) k.setPte(mm, addr, pte.pfn, pte.bits | PTE_PROTNONE);
    });
  if (k.step('clear')) yield 'clear';
  yield* mmuNotifierInvalidateRangeEnd(k, range);
  if (k.step('end')) yield 'end';
}

/** The first address of [start, end) whose PMD is populated (a PTE table or a huge PMD). */
function firstPopulated(mm: Mm, start: number, end: number): number | undefined {
  for (let base = hugeBase(start); base < end; base += HPAGE_PMD_SIZE) {
    const pmd = mm.pt.pmdPage(base, false);
    if (!pmd) continue;
    if (mm.hugePmd(base).bits !== 0 || mm.pt.ptePage(base, false)) return base;
  }
  return undefined;
}

/** Linux: the MM_CP_PROT_NUMA checks of change_pte_range() */
function numaHintable(k: Kernel, vma: Vma, pfn: number, bits: number): boolean {
  const m = k.mem;
  if (!isPresent(bits) || (bits & (PTE_SPECIAL | PTE_PROTNONE)) !== 0 || pfn === ZERO_PFN) return false;
  if (m.has(pfn, PG_KSM | PG_DEVICE_PRIVATE)) return false;
  if (vma.isCow && m.refcount[m.headOf(pfn)] !== 1) return false;
  if (!m.has(pfn, PG_ANON) && m.has(pfn, PG_DIRTY)) return false;
  return true;
}
