import { describe, it, expect } from 'vitest';
import { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import { doMmap } from './mmap.js';
import { doFork } from './fork.js';
import { doMremap } from './mremap.js';
import { userAccess } from './fault.js';
import { rmapWalk } from './rmap.js';
import { runToCompletion } from '../sched/sequential.js';
import type { Value } from './types.js';

const RW = { read: true, write: true, exec: false };
function setup() {
  const k = new Kernel({ frames: 64, swapSlots: 16, trace: false, invariants: true });
  const mm = k.createMm(1);
  const a = runToCompletion(k, doMmap(k, 1, mm, { len: 2 * 4096, prot: RW, shared: false }), 'mmap') as number;
  return { k, mm, a };
}
const write = (k: Kernel, mm: Mm, addr: number, v: Value) => runToCompletion(k, userAccess(k, mm.id, mm, addr, true, v), 'write');
const hits = (k: Kernel, pfn: number) => rmapWalk(k, pfn).map((h) => `${h.vma.mm.id}@${h.addr.toString(16)}`);

describe('anon rmap across fork (rmap_walk_anon)', () => {
  it('finds the parent and the child mapping a page they share', () => {
    const { k, mm, a } = setup();
    write(k, mm, a, 1);
    const pfn = mm.pte(a).pfn;
    runToCompletion(k, doFork(k, 1, mm, 2), 'fork');
    expect(hits(k, pfn)).toEqual([`1@${a.toString(16)}`, `2@${a.toString(16)}`]);
  });

  it('finds a grandchild through the chain of anon_vmas', () => {
    const { k, mm, a } = setup();
    write(k, mm, a, 1);
    const pfn = mm.pte(a).pfn;
    const child = runToCompletion(k, doFork(k, 1, mm, 2), 'fork');
    runToCompletion(k, doFork(k, 2, child, 3), 'fork');
    expect(hits(k, pfn)).toEqual([1, 2, 3].map((id) => `${id}@${a.toString(16)}`));
  });

  it('a page the child copied on write is found in the child only; the parent keeps the original', () => {
    const { k, mm, a } = setup();
    write(k, mm, a, 1);
    const orig = mm.pte(a).pfn;
    const child = runToCompletion(k, doFork(k, 1, mm, 2), 'fork');
    write(k, child, a, 2);
    const copy = child.pte(a).pfn;
    expect(copy).not.toBe(orig);
    expect(hits(k, copy)).toEqual([`2@${a.toString(16)}`]);
    expect(hits(k, orig)).toEqual([`1@${a.toString(16)}`]);
  });

  it('finds a page at its new address after mremap (the VMA keeps its pgoff)', () => {
    const { k, mm, a } = setup();
    write(k, mm, a + 4096, 1);
    const pfn = mm.pte(a + 4096).pfn;
    const to = 0x7f00_0010_0000;
    expect(runToCompletion(k, doMremap(k, 1, mm, a, 2 * 4096, to), 'mremap')).toBe(to);
    expect(hits(k, pfn)).toEqual([`1@${(to + 4096).toString(16)}`]);
    expect(k.check.broken).toEqual([]);
  });
});
