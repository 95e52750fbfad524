import type { Kernel } from './kernel.js';
import { vmaAdjustTransHuge } from './huge.js';
import type { Mm } from './mm.js';
import { VM_ACCESS, VM_SHARED, VM_WRITE, type Vma } from './vma.js';
import { protToVmFlags, splitVma, vmaMerge, type Prot } from './mmap.js';
import { pteProtBits } from './fault.js';
import {
  PTE_KIND_MASK, PTE_PRESENT, PTE_MIGRATION, PTE_DEVICE, PTE_WRITE, PTE_DIRTY, PTE_YOUNG, PTE_SPECIAL,
  PTE_EXCLUSIVE, PTE_PROTNONE,
} from './pte.js';
import { PageTable } from './pagetable.js';
import { PG_ANON, PG_ANON_EXCLUSIVE, ZERO_PFN } from './frames.js';
import { downWrite } from './locks.js';
import { mmuNotifierInvalidateRangeStart, mmuNotifierInvalidateRangeEnd, type NotifierRange } from './notifier.js';
import { KernelError, PAGE_SIZE, HPAGE_PMD_SIZE, PTRS_PER_TABLE, bug, type Op } from './types.js';

/** One PUD entry's span (1 GiB): change_protection's notifier ranges never cross one. */
const PUD_SIZE = HPAGE_PMD_SIZE * PTRS_PER_TABLE;

/**
 * mprotect(start, len, prot). Errors, as Linux returns them:
 *   EINVAL  `start` is not page aligned;
 *   ENOMEM  the range starts in an unmapped hole (nothing changes), or meets one later
 *           (the VMAs before the hole HAVE been changed: mprotect is not atomic);
 *   EACCES  the protection asks for an access the VMA may never have (VM_MAY*).
 * A zero length succeeds and does nothing. Each VMA whose flags change is split at the
 * range's edges, gets the new flags and its PTEs changed (change_protection), then merges
 * with compatible neighbours. Steps: see {@link changeProtection}.
 * Linux: do_mprotect_pkey() → mprotect_fixup() → change_protection()
 */
export function* doMprotect(k: Kernel, task: number, mm: Mm, start: number, len: number, prot: Prot): Op<KernelError | undefined> {
  if (start % PAGE_SIZE !== 0) return new KernelError('EINVAL', 'address is not page aligned');
  if (len === 0) return undefined;
  const end = start + Math.ceil(len / PAGE_SIZE) * PAGE_SIZE;
  yield* downWrite(mm.mmapLock, task);
  try {
    const vmas = mm.vmasIn(start, end);
    if (vmas.length === 0 || vmas[0]!.start > start) return new KernelError('ENOMEM', 'the range starts in unmapped memory');
    const changed: Vma[] = [];
    let err: KernelError | undefined;
    let tmp = vmas[0]!.start;
    for (const vma of vmas) {
      if (vma.start !== tmp) { err = new KernelError('ENOMEM', 'the range has an unmapped hole'); break; }
      const newflags = protToVmFlags(prot) | (vma.flags & ~VM_ACCESS);
      // VM_MAY* sit 4 bits above VM_*: an access the VMA may never have.
      if ((newflags & ~(newflags >> 4) & VM_ACCESS) !== 0) { err = new KernelError('EACCES', 'the mapping may not have this protection'); break; }
      tmp = Math.min(vma.end, end);
      const piece = yield* mprotectFixup(k, task, mm, vma, Math.max(start, vma.start), tmp, newflags);
      if (piece) changed.push(piece);
    }
    if (!err && tmp < end) err = new KernelError('ENOMEM', 'the range has an unmapped hole');
    for (const vma of changed) if (mm.vmas.includes(vma)) vmaMerge(k, mm, vma);
    return err;
  } finally {
    mm.mmapLock.upWrite(task);
  }
}

/**
 * Gives [start, end) of `vma` the flags `newflags`: nothing when they are already its
 * flags; otherwise the VMA is split so that the range is one VMA, which gets the flags
 * and the PTE changes. Returns that VMA (the caller merges it afterwards; Linux merges
 * first when it can — the resulting VMAs are the same). Linux: mprotect_fixup()
 */
function* mprotectFixup(k: Kernel, task: number, mm: Mm, vma: Vma, start: number, end: number, newflags: number): Op<Vma | undefined> {
  if (newflags === vma.flags) return undefined;
  // The call's own event first (as munmap's and madvise's), then the splits it causes.
  k.emit({ e: 'mprotect', mm: mm.id, start, end, flags: newflags });
  // A THP cut by the range is split first (vma_adjust_trans_huge in __split_vma).
  yield* vmaAdjustTransHuge(k, task, mm, start, end);
  splitVma(k, mm, start);
  splitVma(k, mm, end);
  const piece = mm.findVma(start) ?? bug('mprotectFixup: no VMA after split');
  piece.flags = newflags;
  yield* changeProtection(k, task, piece, start, end);
  return piece;
}

/**
 * Applies `vma`'s (new) protection to the entries of [start, end). Per 1 GiB PUD span,
 * the PROTECTION_VMA invalidation starts at the first populated PMD (a PTE table or a
 * huge PMD, even one with no entries left) and covers the rest of the span; a span with
 * no populated PMD fires nothing. Steps per such span: `start`, `clear`, `end`.
 * Linux: change_protection() → change_pud_range() → change_pmd_range() → change_pte_range()
 */
export function* changeProtection(k: Kernel, task: number, vma: Vma, start: number, end: number): Op<number> {
  let pages = 0;
  for (let cs = start; cs < end; ) {
    const ce = Math.min(end, cs - (cs % PUD_SIZE) + PUD_SIZE);
    pages += yield* changePmdRange(k, task, vma, cs, ce);
    cs = ce;
  }
  return pages;
}

function* changePmdRange(k: Kernel, task: number, vma: Vma, start: number, end: number): Op<number> {
  const mm = vma.mm;
  let range: NotifierRange | undefined;
  let pages = 0;
  const pmd = mm.pt.pmdPage(start, false);
  if (!pmd) return 0;
  for (let addr = start; addr < end; ) {
    const next = Math.min(end, addr - (addr % HPAGE_PMD_SIZE) + HPAGE_PMD_SIZE);
    const mi = PageTable.pmdIndex(addr);
    const hugeBits = pmd.hugeBits[mi]!;
    const ptes = pmd.ptes.get(mi);
    if (hugeBits !== 0 || ptes) {
      if (!range) {
        range = { mm, start: addr, end, event: 'PROTECTION_VMA', blockable: true, task };
        yield* mmuNotifierInvalidateRangeStart(k, range);
        if (k.step('start')) yield 'start';
      }
      if (hugeBits !== 0) {
        if (addr % HPAGE_PMD_SIZE !== 0 || next - addr !== HPAGE_PMD_SIZE) {
          bug('changePmdRange: mprotect of part of a huge PMD needs split_huge_pmd (not modelled yet)');
        }
        const pfn = pmd.hugePfn[mi]!;
        const nb = newEntryBits(k, vma, pfn, hugeBits);
        if (nb !== hugeBits) k.setPmd(mm, addr, pfn, nb);
        pages += HPAGE_PMD_SIZE / PAGE_SIZE;
      } else if (ptes!.used > 0) {
        for (let a = addr; a < next; a += PAGE_SIZE) {
          const i = PageTable.pteIndex(a);
          const bits = ptes!.bits[i]!;
          if (bits === 0) continue;
          const pfn = ptes!.pfn[i]!;
          const nb = newEntryBits(k, vma, pfn, bits);
          if (nb !== bits) k.setPte(mm, a, pfn, nb);
          pages++;
        }
      }
    }
    addr = next;
  }
  if (range) {
    if (k.step('clear')) yield 'clear';
    yield* mmuNotifierInvalidateRangeEnd(k, range);
    if (k.step('end')) yield 'end';
  }
  return pages;
}

/**
 * An entry under the VMA's new protection. Present: the access bits follow the VMA
 * (PROT_NONE → protnone); accessed, dirty and special stay. Write permission is given
 * only where the fault handler would give it without further ado:
 *   - shared mapping without write notification (shmem, a device without pfn_mkwrite):
 *     every PTE (vm_page_prot is writable);
 *   - shared mapping with write notification (a file that can be written back, a
 *     device with pfn_mkwrite): dirty PTEs only — clean ones must fault to be tracked;
 *   - private mapping: exclusive anonymous pages only — shared ones, the zero page and
 *     file pages must still COW.
 * Writable migration and device-private entries become read-only; swap entries stay.
 * Linux: change_pte_range(), pte_modify(), can_change_pte_writable(), vma_wants_writenotify()
 */
function newEntryBits(k: Kernel, vma: Vma, pfn: number, bits: number): number {
  switch (bits & PTE_KIND_MASK) {
    case PTE_PRESENT: {
      let nb = (bits & (PTE_KIND_MASK | PTE_DIRTY | PTE_YOUNG | PTE_SPECIAL | PTE_EXCLUSIVE)) | pteProtBits(vma, false);
      if ((nb & PTE_PROTNONE) === 0 && vma.has(VM_WRITE)) {
        if (vma.has(VM_SHARED) && !wantsWritenotify(vma)) nb |= PTE_WRITE;
        else if (canChangePteWritable(k, vma, pfn, nb)) nb |= PTE_WRITE;
      }
      return nb;
    }
    case PTE_MIGRATION:
    case PTE_DEVICE:
      return bits & ~PTE_WRITE;
    default:
      return bits;
  }
}

/**
 * Whether writes to a shared writable mapping must fault first (dirty tracking). mmspec's
 * files can all be written back; shmem and devices without pfn_mkwrite cannot.
 * Linux: vma_wants_writenotify()
 */
function wantsWritenotify(vma: Vma): boolean {
  if (vma.ops?.pfnMkwrite) return true;
  return vma.file !== undefined && !vma.file.shmem;
}

/** Linux: can_change_pte_writable() */
function canChangePteWritable(k: Kernel, vma: Vma, pfn: number, bits: number): boolean {
  if (vma.has(VM_SHARED)) return (bits & PTE_DIRTY) !== 0;
  if ((bits & PTE_SPECIAL) !== 0 || pfn === ZERO_PFN || !k.mem.isAllocated(pfn)) return false;
  const head = k.mem.headOf(pfn);
  return k.mem.has(head, PG_ANON) && k.mem.has(head, PG_ANON_EXCLUSIVE);
}
