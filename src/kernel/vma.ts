import type { FileObj } from './file.js';
import type { AnonVma } from './rmap.js';
import type { Op, Vaddr, Value } from './types.js';
import type { Mm } from './mm.js';

/** VMA flags (include/linux/mm.h). */
export const VM_READ = 1 << 0;
export const VM_WRITE = 1 << 1;
export const VM_EXEC = 1 << 2;
export const VM_SHARED = 1 << 3;
export const VM_MAYREAD = 1 << 4;
export const VM_MAYWRITE = 1 << 5;
export const VM_MAYEXEC = 1 << 6;
export const VM_MAYSHARE = 1 << 7;
export const VM_PFNMAP = 1 << 10;
export const VM_IO = 1 << 14;
export const VM_DONTCOPY = 1 << 17;
export const VM_DONTEXPAND = 1 << 18;
export const VM_MIXEDMAP = 1 << 28;
export const VM_HUGEPAGE = 1 << 29;
export const VM_NOHUGEPAGE = 1 << 30;
export const VM_MERGEABLE = 1 << 31;
export const VM_DONTDUMP = 1 << 26;
/** VM_SPECIAL: such VMAs never merge, expand, or get THPs or KSM. */
export const VM_SPECIAL = VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP;
export const VM_ACCESS = VM_READ | VM_WRITE | VM_EXEC;

export interface FaultRequest {
  readonly mm: Mm;
  readonly vma: Vma;
  readonly addr: Vaddr;
  readonly write: boolean;
  /** The PTE was present and read-only: a write-protect fault (do_wp_page). */
  readonly wp: boolean;
  /** The faulting task (owner of the locks the driver takes). */
  readonly task: number;
}

/** VM_FAULT_* results a driver returns. */
export type VmFault = 'nopage' | 'sigbus' | 'oom' | 'retry';

/**
 * A driver's vm_operations_struct. `fault` runs as the driver's steps; `pfnMkwrite`
 * (optional) decides a write to a read-only special PTE of a shared VMA.
 * Linux: struct vm_operations_struct
 */
export interface VmOps {
  readonly name: string;
  fault(req: FaultRequest): Op<VmFault>;
  pfnMkwrite?(req: FaultRequest): Op<VmFault>;
  /** The VMA is being unmapped (vm_ops->close). */
  close?(vma: Vma): void;
  /** A VMA was duplicated into a child by fork (vm_ops->open). */
  open?(vma: Vma): void;
  /**
   * The VMA is an ordinary anonymous VMA to core MM (rmap, khugepaged, zap, COW) even
   * though faults go to `fault` (the mirror's `vma=anon` design).
   */
  readonly anonymous?: boolean;
  /** mmspec only: the content a not-present page of this VMA shows (`expect … holds`). */
  peek?(vma: Vma, addr: number): Value;
}

/** Linux: struct vm_area_struct */
export class Vma {
  /** For rmap: anon_vmas this VMA is linked into (anon_vma_chain); [0] is its own. */
  anonVmas: AnonVma[] = [];
  constructor(
    readonly mm: Mm,
    public start: number,
    public end: number,
    public flags: number,
    /** vm_pgoff: page offset in the file, or for anonymous VMAs start >> PAGE_SHIFT at creation. */
    public pgoff: number,
    public file: FileObj | undefined,
    public ops: VmOps | undefined,
    /** Driver data (vm_private_data). */
    public priv: unknown = undefined,
  ) {}

  get pages(): number { return (this.end - this.start) / 4096; }
  get isAnon(): boolean { return this.file === undefined && (this.ops === undefined || this.ops.anonymous === true); }
  has(flag: number): boolean { return (this.flags & flag) !== 0; }
  /** is_cow_mapping(): private and may be written. */
  get isCow(): boolean { return (this.flags & (VM_SHARED | VM_MAYWRITE)) === VM_MAYWRITE; }
  /** The linear page index of `addr` (linear_page_index). */
  linearIndex(addr: number): number { return this.pgoff + (addr - this.start) / 4096; }
  /** The address of linear page index `index`, or -1 if outside (vma_address). */
  addressOf(index: number): number {
    const addr = this.start + (index - this.pgoff) * 4096;
    return addr >= this.start && addr < this.end ? addr : -1;
  }
}

/** `rwxp`-style flags for traces: `rw-p`, `r--s`, plus special kinds. */
export function vmaProtString(flags: number): string {
  return (flags & VM_READ ? 'r' : '-') + (flags & VM_WRITE ? 'w' : '-') +
    (flags & VM_EXEC ? 'x' : '-') + (flags & VM_SHARED ? 's' : 'p');
}
