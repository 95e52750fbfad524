import { describe, it, expect } from 'vitest';
import { Kernel } from './kernel.js';
import { doMmap, doMunmap } from './mmap.js';
import { userAccess } from './fault.js';
import { doMadvise } from './madvise.js';
import { reclaimRange, shrinkLru } from './reclaim.js';
import { mmuNotifierRegister } from './notifier.js';
import { PG_ACTIVE, PG_LAZYFREE, PG_SWAPBACKED, PG_SWAPCACHE } from './frames.js';
import { PTE_KIND_MASK, PTE_SWAP, PTE_DIRTY, PTE_YOUNG } from './pte.js';
import { VM_HUGEPAGE, VM_MERGEABLE, VM_NOHUGEPAGE } from './vma.js';
import { lruActivate } from './lru.js';
import { runToCompletion } from '../sched/sequential.js';
import { KernelError } from './types.js';

const RW = { read: true, write: true, exec: false };
const KT = 1_000_000;

function setup() {
  const k = new Kernel({ frames: 64, swapSlots: 16, trace: true, invariants: true });
  k.directReclaim = shrinkLru;
  const mm = k.createMm(1);
  const map = (pages: number, extra: { shared?: boolean; file?: ReturnType<Kernel['newFile']> } = {}) =>
    runToCompletion(k, doMmap(k, 1, mm, { len: pages * 4096, prot: RW, shared: extra.shared ?? false, ...(extra.file ? { file: extra.file } : {}) }), 'mmap') as number;
  const write = (addr: number, v: string | number) => runToCompletion(k, userAccess(k, 1, mm, addr, true, v), 'write');
  const read = (addr: number) => runToCompletion(k, userAccess(k, 1, mm, addr, false), 'read');
  const madvise = (addr: number, pages: number, advice: Parameters<typeof doMadvise>[5]) =>
    runToCompletion(k, doMadvise(k, 1, mm, addr, pages * 4096, advice), 'madvise');
  return { k, mm, map, write, read, madvise };
}

describe('doMadvise validation', () => {
  it('EINVAL for an unaligned start, nothing for an empty range', () => {
    const { mm, k, map, madvise } = setup();
    const a = map(1);
    expect((runToCompletion(k, doMadvise(k, 1, mm, a + 1, 4096, 'dontneed'), 'm') as KernelError).errno).toBe('EINVAL');
    expect(runToCompletion(k, doMadvise(k, 1, mm, a, 0, 'dontneed'), 'm')).toBeUndefined();
    expect(madvise(a, 1, 'dontneed')).toBeUndefined();
  });

  it('ENOMEM for a hole, after advising the mapped parts', () => {
    const { mm, k, map, write, madvise } = setup();
    const a = map(3);
    for (let i = 0; i < 3; i++) write(a + i * 4096, i);
    runToCompletion(k, doMunmap(k, 1, mm, a + 4096, 4096), 'munmap');
    expect((madvise(a, 3, 'dontneed') as KernelError).errno).toBe('ENOMEM');
    expect(mm.pte(a).bits).toBe(0);
    expect(mm.pte(a + 2 * 4096).bits).toBe(0);
  });

  it('EINVAL for MADV_FREE outside private anonymous memory', () => {
    const { k, map, madvise } = setup();
    const f = k.newFile('f', 1, ['x'], false);
    const a = map(1, { file: f });
    expect((madvise(a, 1, 'free') as KernelError).errno).toBe('EINVAL');
    const s = map(1, { shared: true });
    expect((madvise(s, 1, 'free') as KernelError).errno).toBe('EINVAL');
  });
});

describe('MADV_DONTNEED / MADV_FREE', () => {
  it('dontneed zaps under one CLEAR per VMA part; the page refaults as the zero page', () => {
    const { k, mm, map, write, read, madvise } = setup();
    const a = map(2);
    write(a, 'x');
    const ranges: string[] = [];
    mmuNotifierRegister(mm, { name: 't', *invalidateRangeStart(r) { ranges.push(`${r.event} ${(r.end - r.start) / 4096}`); return true; } });
    madvise(a, 2, 'dontneed');
    expect(ranges).toEqual(['CLEAR 2']);
    expect(read(a).value).toBe(0);
    expect(k.mem.used).toBe(0);
  });

  it('free makes clean pages lazyfree; reclaim discards them without swap unless written again', () => {
    const { k, mm, map, write, read, madvise } = setup();
    const a = map(2);
    write(a, 'x');
    write(a + 4096, 'y');
    const p0 = mm.pte(a).pfn, p1 = mm.pte(a + 4096).pfn;
    madvise(a, 2, 'free');
    expect(mm.pte(a).bits & (PTE_DIRTY | PTE_YOUNG)).toBe(0);
    expect(k.mem.has(p0, PG_LAZYFREE)).toBe(true);
    expect(k.mem.has(p0, PG_SWAPBACKED)).toBe(false);
    write(a + 4096, 'again');
    runToCompletion(k, reclaimRange(k, KT, mm, [a, a + 4096]), 'reclaim');
    expect(k.swap.used).toBe(0);
    expect(mm.pte(a).bits).toBe(0);
    expect(k.mem.isAllocated(p0)).toBe(false);
    expect(mm.pte(a + 4096).pfn).toBe(p1);
    expect(k.mem.has(p1, PG_SWAPBACKED)).toBe(true);
    expect(read(a + 4096).value).toBe('again');
    expect(read(a).value).toBe(0);
    expect(k.check.broken).toEqual([]);
  });

  it('free drops swap entries with their slots', () => {
    const { k, mm, map, write, madvise } = setup();
    const a = map(1);
    write(a, 'x');
    runToCompletion(k, reclaimRange(k, KT, mm, [a]), 'reclaim');
    expect(k.swap.used).toBe(1);
    madvise(a, 1, 'free');
    expect(mm.pte(a).bits).toBe(0);
    expect(k.swap.used).toBe(0);
  });
});

describe('MADV_PAGEOUT / COLD / WILLNEED', () => {
  it('pageout swaps out young pages at once; cold ages and deactivates', () => {
    const { k, mm, map, write, madvise } = setup();
    const a = map(2);
    write(a, 'x');
    write(a + 4096, 'y');
    madvise(a, 1, 'pageout');
    expect(mm.pte(a).bits & PTE_KIND_MASK).toBe(PTE_SWAP);
    const p = mm.pte(a + 4096).pfn;
    lruActivate(k, p);
    madvise(a + 4096, 1, 'cold');
    expect(mm.pte(a + 4096).bits & PTE_YOUNG).toBe(0);
    expect(k.mem.has(p, PG_ACTIVE)).toBe(false);
  });

  it('willneed reads a swapped page into the swap cache without mapping it; the fault then maps it', () => {
    const { k, mm, map, write, read, madvise } = setup();
    const a = map(1);
    write(a, 'x');
    runToCompletion(k, reclaimRange(k, KT, mm, [a]), 'reclaim');
    madvise(a, 1, 'willneed');
    expect(mm.pte(a).bits & PTE_KIND_MASK).toBe(PTE_SWAP);
    const pfn = k.swap.cache.get(mm.pte(a).pfn)!;
    expect(k.mem.has(pfn, PG_SWAPCACHE)).toBe(true);
    expect(k.mem.refcount[pfn]).toBe(1);
    expect(read(a).value).toBe('x');
    expect(mm.pte(a).pfn).toBe(pfn);
    expect(k.mem.refcount[pfn]).toBe(1);
    expect(k.check.broken).toEqual([]);
  });
});

describe('VMA flag advice', () => {
  it('hugepage on the middle splits the VMA; nohugepage over all of it merges it back', () => {
    const { mm, map, madvise } = setup();
    const a = map(4);
    madvise(a + 4096, 2, 'hugepage');
    expect(mm.vmas.map((v) => [(v.start - a) / 4096, (v.end - a) / 4096, v.has(VM_HUGEPAGE)])).toEqual([[0, 1, false], [1, 3, true], [3, 4, false]]);
    madvise(a, 4, 'nohugepage');
    expect(mm.vmas.length).toBe(1);
    expect(mm.vmas[0]!.has(VM_NOHUGEPAGE)).toBe(true);
  });

  it('mergeable sets VM_MERGEABLE on private memory and ignores shared mappings', () => {
    const { mm, map, madvise } = setup();
    const a = map(1);
    const s = map(1, { shared: true });
    expect(madvise(a, 1, 'mergeable')).toBeUndefined();
    expect(madvise(s, 1, 'mergeable')).toBeUndefined();
    expect(mm.findVma(a)!.has(VM_MERGEABLE)).toBe(true);
    expect(mm.findVma(s)!.has(VM_MERGEABLE)).toBe(false);
  });
});
