import { describe, it, expect } from 'vitest';
import { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import { doMmap, type Prot } from './mmap.js';
import { doMprotect } from './mprotect.js';
import { userAccess } from './fault.js';
import { mmuNotifierRegister } from './notifier.js';
import { PTE_WRITE, PTE_PROTNONE } from './pte.js';
import { VM_MAYWRITE } from './vma.js';
import { KernelError, type Value } from './types.js';
import { runToCompletion } from '../sched/sequential.js';

const RW: Prot = { read: true, write: true, exec: false };
const R: Prot = { read: true, write: false, exec: false };
const NONE: Prot = { read: false, write: false, exec: false };
const P = 4096;

function setup() {
  const k = new Kernel({ frames: 64, swapSlots: 16, trace: true, invariants: true });
  const mm = k.createMm(1);
  const heard: string[] = [];
  mmuNotifierRegister(mm, { name: 't', *invalidateRangeStart(r) { heard.push(`${r.event} ${(r.start - a0) / P}..${(r.end - a0) / P}`); return true; } });
  const a0 = 0x7f00_0000_0000;
  return { k, mm, heard, a0 };
}
const mmap = (k: Kernel, mm: Mm, pages: number, extra: { shared?: boolean; addr?: number } = {}) =>
  runToCompletion(k, doMmap(k, 1, mm, { len: pages * P, prot: RW, shared: extra.shared ?? false, ...(extra.addr !== undefined ? { addr: extra.addr } : {}) }), 'mmap') as number;
const mprotect = (k: Kernel, mm: Mm, start: number, len: number, prot: Prot) => runToCompletion(k, doMprotect(k, 1, mm, start, len, prot), 'mprotect');
const write = (k: Kernel, mm: Mm, addr: number, v: Value) => runToCompletion(k, userAccess(k, 1, mm, addr, true, v), 'write');

describe('doMprotect (do_mprotect_pkey, mprotect_fixup, change_protection)', () => {
  it('EINVAL for an unaligned start; a zero length does nothing', () => {
    const { k, mm } = setup();
    const a = mmap(k, mm, 1);
    expect((mprotect(k, mm, a + 1, P, R) as KernelError).errno).toBe('EINVAL');
    expect(mprotect(k, mm, a, 0, R)).toBeUndefined();
  });

  it('EACCES when the VMA may never have the access (no VM_MAYWRITE)', () => {
    const { k, mm } = setup();
    const a = mmap(k, mm, 1);
    mm.vmas[0]!.flags &= ~VM_MAYWRITE;
    expect((mprotect(k, mm, a, P, RW) as KernelError).errno).toBe('EACCES');
  });

  it('splits at both edges, changes only the range, merges back when undone', () => {
    const { k, mm, heard } = setup();
    const a = mmap(k, mm, 4);
    for (let i = 0; i < 4; i++) write(k, mm, a + i * P, i);
    expect(mprotect(k, mm, a + P, 2 * P, R)).toBeUndefined();
    expect(mm.vmas.map((v) => (v.end - v.start) / P)).toEqual([1, 2, 1]);
    expect([0, 1, 2, 3].map((i) => (mm.pte(a + i * P).bits & PTE_WRITE) !== 0)).toEqual([true, false, false, true]);
    expect(heard).toEqual(['PROTECTION_VMA 1..3']);
    mprotect(k, mm, a + P, 2 * P, RW);
    expect(mm.vmas.length).toBe(1);
    expect([0, 1, 2, 3].every((i) => (mm.pte(a + i * P).bits & PTE_WRITE) !== 0)).toBe(true);
    expect(k.check.broken).toEqual([]);
  });

  it('fires no notifier and changes nothing when the flags are already those', () => {
    const { k, mm, heard } = setup();
    const a = mmap(k, mm, 2);
    write(k, mm, a, 1);
    mprotect(k, mm, a, 2 * P, RW);
    expect(heard).toEqual([]);
    expect(mm.vmas.length).toBe(1);
  });

  it('PROT_NONE makes protnone PTEs that keep their page', () => {
    const { k, mm } = setup();
    const a = mmap(k, mm, 1);
    write(k, mm, a, 'x');
    const pfn = mm.pte(a).pfn;
    mprotect(k, mm, a, P, NONE);
    expect(mm.pte(a).pfn).toBe(pfn);
    expect(mm.pte(a).bits & PTE_PROTNONE).not.toBe(0);
    expect(runToCompletion(k, userAccess(k, 1, mm, a, false), 'read').signal?.sig).toBe('SIGSEGV');
  });

  it('a shmem mapping made writable gets writable PTEs at once (no write notification)', () => {
    const { k, mm } = setup();
    const a = mmap(k, mm, 1, { shared: true });
    write(k, mm, a, 's');
    mprotect(k, mm, a, P, R);
    expect(mm.pte(a).bits & PTE_WRITE).toBe(0);
    mprotect(k, mm, a, P, RW);
    expect(mm.pte(a).bits & PTE_WRITE).not.toBe(0);
  });

  it('ENOMEM on a hole after changing the VMAs before it', () => {
    const { k, mm, a0 } = setup();
    mmap(k, mm, 1, { addr: a0 });
    mmap(k, mm, 1, { addr: a0 + 2 * P });
    write(k, mm, a0, 1);
    expect((mprotect(k, mm, a0, 3 * P, R) as KernelError).errno).toBe('ENOMEM');
    expect(mm.vmas[0]!.flags & 2).toBe(0);
    expect(mm.vmas[1]!.flags & 2).not.toBe(0);
    expect((mprotect(k, mm, a0 + P, P, R) as KernelError).errno).toBe('ENOMEM');
  });
});
