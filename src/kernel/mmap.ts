import type { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import {
  Vma, VM_READ, VM_WRITE, VM_EXEC, VM_SHARED, VM_MAYREAD, VM_MAYWRITE, VM_MAYEXEC, VM_MAYSHARE,
  VM_HUGEPAGE, VM_SPECIAL, type VmOps,
} from './vma.js';
import type { FileObj } from './file.js';
import { anonVmaClone, anonVmaUnlinkAll } from './rmap.js';
import { downWrite } from './locks.js';
import { mmuNotifierInvalidateRangeStart, mmuNotifierInvalidateRangeEnd, type NotifierRange } from './notifier.js';
import { zapPageRange } from './memory.js';
import { vmaAdjustTransHuge } from './huge.js';
import { KernelError, PAGE_SIZE, HPAGE_PMD_SIZE, TASK_SIZE, type Op } from './types.js';

/** Where unplaced mappings go: bottom-up from here (mmspec's get_unmapped_area policy). */
export const MMAP_BASE = 0x7f00_0000_0000;
/** vm.mmap_min_addr's default (CONFIG_DEFAULT_MMAP_MIN_ADDR on x86). */
export const MMAP_MIN_ADDR = 0x10000;

export type Prot = { readonly read: boolean; readonly write: boolean; readonly exec: boolean };

/** PROT_* → VM_* (calc_vm_prot_bits), with the VM_MAY* bits of the open mode. */
export function protToVmFlags(prot: Prot): number {
  return (prot.read ? VM_READ : 0) | (prot.write ? VM_WRITE : 0) | (prot.exec ? VM_EXEC : 0);
}

export interface MmapRequest {
  /** MAP_FIXED address, or undefined to let the kernel place it. */
  readonly addr?: number;
  readonly len: number;
  readonly prot: Prot;
  readonly shared: boolean;
  readonly file?: FileObj;
  /** Page offset into the file. */
  readonly pgoff?: number;
  /** MADV_HUGEPAGE at creation (`huge`): VM_HUGEPAGE and a 2 MiB-aligned placement. */
  readonly huge?: boolean;
  /** A driver's mapping: its vm_ops and extra VM_* flags (set by the driver's mmap). */
  readonly ops?: VmOps;
  readonly extraFlags?: number;
  readonly priv?: unknown;
}

/**
 * Creates a mapping. Returns its start address, or a KernelError with Linux's errno.
 * Steps: `mmap`. Linux: do_mmap() → mmap_region()
 */
export function* doMmap(k: Kernel, task: number, mm: Mm, req: MmapRequest): Op<number | KernelError> {
  if (req.len <= 0 || req.len % PAGE_SIZE !== 0) return new KernelError('EINVAL', 'length is zero or not page aligned');
  if (req.addr !== undefined && req.addr % PAGE_SIZE !== 0) return new KernelError('EINVAL', 'address is not page aligned');
  // A fixed mapping below vm.mmap_min_addr needs CAP_SYS_RAWIO. Linux: cap_mmap_addr()
  if (req.addr !== undefined && req.addr < MMAP_MIN_ADDR) return new KernelError('EPERM', `address below mmap_min_addr (0x${MMAP_MIN_ADDR.toString(16)})`);
  yield* downWrite(mm.mmapLock, task);
  try {
    let addr = req.addr;
    if (addr === undefined) {
      addr = mm.unmappedArea(MMAP_BASE, req.len, req.huge ? HPAGE_PMD_SIZE : PAGE_SIZE, PAGE_SIZE);
    } else {
      // MAP_FIXED: whatever is mapped there goes first (the interpreter refuses overlaps).
      if (mm.vmasIn(addr, addr + req.len).length > 0) yield* unmapRange(k, task, mm, addr, addr + req.len);
    }
    if (addr + req.len > TASK_SIZE) return new KernelError('ENOMEM', 'no room in the address space');
    let flags = protToVmFlags(req.prot) | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | (req.extraFlags ?? 0);
    if (req.shared) flags |= VM_SHARED | VM_MAYSHARE;
    if (req.huge) flags |= VM_HUGEPAGE;
    let file = req.file;
    if (!file && req.shared && !req.ops) {
      // Shared anonymous memory is shmem: a file with no name (shmem_zero_setup).
      file = k.newFile(`shmem@${mm.id}:0x${addr.toString(16)}`, req.len / PAGE_SIZE, [], true);
    }
    const pgoff = file ? (req.pgoff ?? 0) : addr / PAGE_SIZE;
    const vma = new Vma(mm, addr, addr + req.len, flags, pgoff, file, req.ops, req.priv);
    mm.insertVma(vma);
    file?.mappings.add(vma);
    const what = req.ops ? `device ${req.ops.name}` : file ? (file.shmem ? 'shmem' : `file ${file.name}`) : 'anon';
    k.emit({ e: 'mmap', mm: mm.id, start: vma.start, end: vma.end, flags: vma.flags, what });
    vmaMerge(k, mm, vma);
    if (k.step('mmap')) yield 'mmap';
    return addr;
  } finally {
    mm.mmapLock.upWrite(task);
  }
}

/**
 * Whether two adjacent VMAs can be one (is_mergeable_vma + anon_vma compatibility).
 * Linux: vma_merge() / can_vma_merge_before()
 */
function canMerge(a: Vma, b: Vma): boolean {
  if (a.end !== b.start || a.flags !== b.flags) return false;
  if ((a.flags & VM_SPECIAL) !== 0 || a.ops || b.ops) return false;
  if (a.file !== b.file) return false;
  if (a.pgoff + a.pages !== b.pgoff) return false;
  if (a.anonVmas.length > 0 && b.anonVmas.length > 0 && a.anonVmas[0] !== b.anonVmas[0]) return false;
  return true;
}

/** Merges `vma` with its neighbours where Linux would. Returns the surviving VMA. */
export function vmaMerge(k: Kernel, mm: Mm, vma: Vma): Vma {
  let cur = vma;
  const i = mm.vmas.indexOf(cur);
  const prev = mm.vmas[i - 1];
  if (prev && canMerge(prev, cur)) {
    absorb(prev, cur);
    mm.removeVma(cur);
    k.emit({ e: 'vma', mm: mm.id, op: 'merge', start: prev.start, end: prev.end });
    cur = prev;
  }
  const next = mm.vmas[mm.vmas.indexOf(cur) + 1];
  if (next && canMerge(cur, next)) {
    absorb(cur, next);
    mm.removeVma(next);
    k.emit({ e: 'vma', mm: mm.id, op: 'merge', start: cur.start, end: cur.end });
  }
  return cur;
}

function absorb(into: Vma, gone: Vma): void {
  into.end = gone.end;
  if (into.anonVmas.length === 0 && gone.anonVmas.length > 0) anonVmaClone(into, gone);
  anonVmaUnlinkAll(gone);
  gone.file?.mappings.delete(gone);
}

/**
 * Splits the VMA containing `addr` so that a VMA boundary falls at `addr`.
 * Linux: split_vma()
 */
export function splitVma(k: Kernel, mm: Mm, addr: number): void {
  const vma = mm.findVma(addr);
  if (!vma || vma.start === addr) return;
  const tail = new Vma(mm, addr, vma.end, vma.flags, vma.pgoff + (addr - vma.start) / PAGE_SIZE, vma.file, vma.ops, vma.priv);
  anonVmaClone(tail, vma);
  vma.end = addr;
  mm.insertVma(tail);
  vma.file?.mappings.add(tail);
  vma.ops?.open?.(tail);
  k.emit({ e: 'vma', mm: mm.id, op: 'split', start: vma.start, end: addr });
}

/**
 * munmap: split at the edges, then unmap the range and remove the VMAs.
 * Linux: __do_munmap() / do_vmi_munmap()
 */
export function* doMunmap(k: Kernel, task: number, mm: Mm, start: number, len: number): Op<KernelError | undefined> {
  if (start % PAGE_SIZE !== 0) return new KernelError('EINVAL', 'address is not page aligned');
  if (len <= 0) return new KernelError('EINVAL', 'length is zero');
  len = Math.ceil(len / PAGE_SIZE) * PAGE_SIZE;
  if (start + len > TASK_SIZE) return new KernelError('EINVAL', 'range beyond the user address space');
  yield* downWrite(mm.mmapLock, task);
  try {
    k.emit({ e: 'munmap', mm: mm.id, start, end: start + len });
    yield* unmapRange(k, task, mm, start, start + len);
  } finally {
    mm.mmapLock.upWrite(task);
  }
  return undefined;
}

/**
 * Unmaps [start, end) of `mm` (mmap_lock held for write): one UNMAP invalidation over the
 * range, the PTEs zapped, the page tables freed, then the VMAs removed. An empty range
 * does nothing. Steps: start, clear, end. Linux: unmap_region() → unmap_vmas()
 */
export function* unmapRange(k: Kernel, task: number, mm: Mm, start: number, end: number): Op<void> {
  if (mm.vmasIn(start, end).length === 0) return;
  // A THP cut by the range is split first (vma_adjust_trans_huge in __split_vma).
  yield* vmaAdjustTransHuge(k, task, mm, start, end);
  splitVma(k, mm, start);
  splitVma(k, mm, end);
  const vmas = mm.vmasIn(start, end);
  const range: NotifierRange = { mm, start, end, event: 'UNMAP', blockable: true, task };
  yield* mmuNotifierInvalidateRangeStart(k, range);
  if (k.step('start')) yield 'start';
  for (const vma of vmas) zapPageRange(k, vma, vma.start, vma.end);
  if (k.step('clear')) yield 'clear';
  yield* mmuNotifierInvalidateRangeEnd(k, range);
  for (const vma of vmas) removeVma(k, mm, vma);
  if (k.step('end')) yield 'end';
}

/** Drops a VMA from the mm and from rmap; the driver's close() runs. Linux: remove_vma() */
export function removeVma(k: Kernel, mm: Mm, vma: Vma): void {
  mm.removeVma(vma);
  anonVmaUnlinkAll(vma);
  vma.file?.mappings.delete(vma);
  for (let a = vma.start; a < vma.end; a += HPAGE_PMD_SIZE - (a % HPAGE_PMD_SIZE)) mm.pt.freePtePage(a);
  vma.ops?.close?.(vma);
  void k;
}
