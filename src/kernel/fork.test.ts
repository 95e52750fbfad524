import { describe, it, expect } from 'vitest';
import { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import { doMmap, type MmapRequest } from './mmap.js';
import { doFork } from './fork.js';
import { userAccess } from './fault.js';
import { anonVmaPrepare } from './rmap.js';
import { mmuNotifierRegister } from './notifier.js';
import { PTE_SWAP, PTE_EXCLUSIVE, PTE_PRESENT, PTE_SPECIAL, PTE_WRITE, PTE_KIND_MASK } from './pte.js';
import { VM_PFNMAP, VM_DONTCOPY, VM_IO, VM_DONTEXPAND, VM_SHARED, type VmOps } from './vma.js';
import { PG_ANON_EXCLUSIVE } from './frames.js';
import { runToCompletion } from '../sched/sequential.js';
import type { Value } from './types.js';

const RW = { read: true, write: true, exec: false };

function setup() {
  const k = new Kernel({ frames: 64, swapSlots: 16, trace: true, invariants: true });
  const mm = k.createMm(1);
  return { k, mm };
}
const mmap = (k: Kernel, mm: Mm, req: Partial<MmapRequest> & { len: number }) =>
  runToCompletion(k, doMmap(k, mm.id, mm, { prot: RW, shared: false, ...req }), 'mmap') as number;
const write = (k: Kernel, mm: Mm, addr: number, v: Value) => runToCompletion(k, userAccess(k, mm.id, mm, addr, true, v), 'write');
const read = (k: Kernel, mm: Mm, addr: number) => runToCompletion(k, userAccess(k, mm.id, mm, addr, false), 'read');
const fork = (k: Kernel, mm: Mm, pid: number) => runToCompletion(k, doFork(k, mm.id, mm, pid), 'fork');

describe('doFork (dup_mmap, copy_page_range)', () => {
  it('shares anonymous pages write-protected on both sides and clears PG_anon_exclusive', () => {
    const { k, mm } = setup();
    const a = mmap(k, mm, { len: 4096 });
    write(k, mm, a, 'x');
    const pfn = mm.pte(a).pfn;
    expect(k.mem.has(pfn, PG_ANON_EXCLUSIVE)).toBe(true);
    const child = fork(k, mm, 2);
    expect(mm.pte(a).bits & PTE_WRITE).toBe(0);
    expect(child.pte(a)).toMatchObject({ pfn });
    expect(child.pte(a).bits & PTE_WRITE).toBe(0);
    expect(k.mem.mapcount[pfn]).toBe(2);
    expect(k.mem.refcount[pfn]).toBe(2);
    expect(k.mem.has(pfn, PG_ANON_EXCLUSIVE)).toBe(false);
    expect(k.check.broken).toEqual([]);
  });

  it('gives the child its own anon_vma, child of the parent\'s, and links it into the parent\'s', () => {
    const { k, mm } = setup();
    const a = mmap(k, mm, { len: 4096 });
    write(k, mm, a, 1);
    const child = fork(k, mm, 2);
    const pv = mm.vmas[0]!, cv = child.vmas[0]!;
    expect(cv.anonVmas[0]).not.toBe(pv.anonVmas[0]);
    expect(cv.anonVmas[0]!.parent).toBe(pv.anonVmas[0]);
    expect(cv.anonVmas).toContain(pv.anonVmas[0]);
    expect(pv.anonVmas[0]!.vmas.has(cv)).toBe(true);
  });

  it('fires PROTECTION_PAGE on the parent only for COW mappings with an anon_vma; a subscriber on the parent hears it', () => {
    const { k, mm } = setup();
    const heard: string[] = [];
    mmuNotifierRegister(mm, { name: 't', *invalidateRangeStart(r) { heard.push(`${r.event} ${r.mm.id} ${r.start.toString(16)}`); return true; } });
    const a = mmap(k, mm, { len: 2 * 4096 });
    const b = mmap(k, mm, { len: 4096 });
    read(k, mm, b); // only read: no anon_vma, nothing to copy
    write(k, mm, a, 1);
    const child = fork(k, mm, 2);
    expect(heard).toEqual([`PROTECTION_PAGE 1 ${a.toString(16)}`]);
    expect(child.pte(b).bits).toBe(0);
    expect(child.notifiers.subs).toEqual([]);
  });

  it('duplicates swap entries: one more slot user, exclusive mark dropped on both sides', () => {
    const { k, mm } = setup();
    const a = mmap(k, mm, { len: 4096 });
    anonVmaPrepare(k, mm.vmas[0]!);
    const slot = k.swap.alloc()!;
    k.swap.content[slot] = 'swapped';
    k.setPte(mm, a, slot, PTE_SWAP | PTE_EXCLUSIVE);
    const child = fork(k, mm, 2);
    expect(k.swap.count[slot]).toBe(2);
    expect(mm.pte(a)).toEqual({ pfn: slot, bits: PTE_SWAP });
    expect(child.pte(a)).toEqual({ pfn: slot, bits: PTE_SWAP });
    expect(read(k, child, a).value).toBe('swapped');
    expect(read(k, mm, a).value).toBe('swapped');
    expect(mm.pte(a).pfn).toBe(child.pte(a).pfn);
    expect(k.check.broken).toEqual([]);
  });

  it('copies special PFNMAP PTEs of a shared device VMA as they are (no refcount, no notifier), and skips VM_DONTCOPY', () => {
    const { k, mm } = setup();
    const opened: number[] = [];
    const ops: VmOps = { name: 'dev', *fault() { return 'sigbus'; }, open: (v) => { opened.push(v.mm.id); } };
    const pfnFlags = VM_PFNMAP | VM_IO | VM_DONTEXPAND;
    const d1 = mmap(k, mm, { len: 4096, shared: true, ops, extraFlags: pfnFlags });
    const d2 = mmap(k, mm, { len: 4096, shared: true, ops, extraFlags: pfnFlags | VM_DONTCOPY });
    const target = mmap(k, mm, { len: 4096 });
    write(k, mm, target, 't');
    const tpfn = mm.pte(target).pfn;
    k.setPte(mm, d1, tpfn, PTE_PRESENT | PTE_SPECIAL);
    const before = k.mem.refcount[tpfn];
    const child = fork(k, mm, 2);
    expect(child.vmas.map((v) => v.start)).toEqual([d1, target]);
    expect(child.vmas[0]!.has(VM_SHARED)).toBe(true);
    expect(child.pte(d1)).toEqual({ pfn: tpfn, bits: PTE_PRESENT | PTE_SPECIAL });
    expect(child.pte(d2).bits).toBe(0);
    expect(opened).toEqual([2]);
    // The target page itself is shared by fork (+1); the special PTE adds nothing.
    expect(k.mem.refcount[tpfn]).toBe(before! + 1);
    expect(mm.pte(d1).bits & PTE_KIND_MASK).toBe(PTE_PRESENT);
  });
});
