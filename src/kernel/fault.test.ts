import { describe, it, expect } from 'vitest';
import { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import { doMmap, doMunmap } from './mmap.js';
import { doFork } from './fork.js';
import { doExit } from './exit.js';
import { userAccess } from './fault.js';
import { PTE_WRITE } from './pte.js';
import { runToCompletion } from '../sched/sequential.js';
import type { KEvent } from './events.js';
import type { Value } from './types.js';

const RW = { read: true, write: true, exec: false };
function setup() {
  const k = new Kernel({ frames: 64, swapSlots: 16, trace: true, invariants: true });
  const mm = k.createMm(1);
  const a = runToCompletion(k, doMmap(k, 1, mm, { len: 4096, prot: RW, shared: false }), 'mmap') as number;
  return { k, mm, a };
}
const write = (k: Kernel, mm: Mm, addr: number, v: Value) => runToCompletion(k, userAccess(k, mm.id, mm, addr, true, v), 'write');
const read = (k: Kernel, mm: Mm, addr: number) => runToCompletion(k, userAccess(k, mm.id, mm, addr, false), 'read').value;
const faults = (evs: KEvent[]) => evs.flatMap((e) => (e.e === 'fault' ? [e.how] : []));
const notifies = (evs: KEvent[]) => evs.flatMap((e) => (e.e === 'notify' ? [`${e.phase} ${e.event}`] : []));

describe('do_wp_page after fork: copy while shared, reuse once alone', () => {
  it('copies for the first writer (CLEAR on one page) and lets the last user reuse', () => {
    const { k, mm, a } = setup();
    write(k, mm, a, 'orig');
    const orig = mm.pte(a).pfn;
    const child = runToCompletion(k, doFork(k, 1, mm, 2), 'fork');
    const mark = k.events.length;
    write(k, mm, a, 'parent');
    expect(mm.pte(a).pfn).not.toBe(orig);
    expect(faults(k.events.slice(mark))).toEqual(['wp_page_copy']);
    expect(notifies(k.events.slice(mark))).toEqual(['start CLEAR', 'end CLEAR']);
    const mark2 = k.events.length;
    write(k, child, a, 'child');
    expect(child.pte(a).pfn).toBe(orig);
    expect(faults(k.events.slice(mark2))).toEqual(['wp_page_reuse']);
    expect(notifies(k.events.slice(mark2))).toEqual([]);
    expect(read(k, mm, a)).toBe('parent');
    expect(read(k, child, a)).toBe('child');
    expect(k.mem.refcount[orig]).toBe(1);
    expect(k.check.broken).toEqual([]);
  });

  it('reuses in the parent once the child has exited', () => {
    const { k, mm, a } = setup();
    write(k, mm, a, 1);
    const orig = mm.pte(a).pfn;
    const child = runToCompletion(k, doFork(k, 1, mm, 2), 'fork');
    runToCompletion(k, doExit(k, 2, child), 'exit');
    expect(mm.pte(a).bits & PTE_WRITE).toBe(0);
    write(k, mm, a, 2);
    expect(mm.pte(a).pfn).toBe(orig);
    expect(mm.pte(a).bits & PTE_WRITE).not.toBe(0);
  });

  it('reuses in the parent once the child has unmapped the page', () => {
    const { k, mm, a } = setup();
    write(k, mm, a, 1);
    const orig = mm.pte(a).pfn;
    const child = runToCompletion(k, doFork(k, 1, mm, 2), 'fork');
    runToCompletion(k, doMunmap(k, 2, child, a, 4096), 'munmap');
    write(k, mm, a, 2);
    expect(mm.pte(a).pfn).toBe(orig);
  });

  it('copies the zero page on write after fork in both processes', () => {
    const { k, mm, a } = setup();
    write(k, mm, a, 1); // gives the VMA an anon_vma
    const b = runToCompletion(k, doMmap(k, 1, mm, { len: 4096, prot: RW, shared: false, addr: a + 8192 }), 'mmap') as number;
    read(k, mm, b);
    const child = runToCompletion(k, doFork(k, 1, mm, 2), 'fork');
    write(k, child, b, 'c');
    write(k, mm, b, 'p');
    expect(child.pte(b).pfn).not.toBe(mm.pte(b).pfn);
    expect(read(k, child, b)).toBe('c');
  });
});
