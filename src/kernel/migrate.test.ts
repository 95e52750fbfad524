import { describe, it, expect } from 'vitest';
import { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import { doMmap, doMunmap } from './mmap.js';
import { userAccess } from './fault.js';
import { migrateRange } from './migrate.js';
import { compactMemory } from './compaction.js';
import { PTE_KIND_MASK, PTE_MIGRATION, PTE_WRITE } from './pte.js';
import { runToCompletion } from '../sched/sequential.js';
import { isWait, type Value, type Op, type Yield } from './types.js';

const RW = { read: true, write: true, exec: false };
const KT = 1_000_000;
function setup(pages = 4, frames = 64) {
  const k = new Kernel({ frames, swapSlots: 16, trace: true, invariants: true });
  const mm = k.createMm(1);
  const a = runToCompletion(k, doMmap(k, 1, mm, { len: pages * 4096, prot: RW, shared: false }), 'mmap') as number;
  return { k, mm, a };
}
const write = (k: Kernel, mm: Mm, addr: number, v: Value) => runToCompletion(k, userAccess(k, mm.id, mm, addr, true, v), 'write');
const migrations = (k: Kernel) => k.events.flatMap((e) => (e.e === 'migrate' ? [e.result] : []));

/** Runs `op` until it has yielded step `name` (inclusive). */
function runUntil<T>(k: Kernel, op: Op<T>, name: string): void {
  for (;;) {
    const r = op.next();
    k.check.afterStep();
    if (r.done) throw new Error(`op ended before ${name}`);
    if (r.value === name) return;
  }
}

describe('migrate_pages', () => {
  it('moves the page to the lowest free frame, keeps content and write permission', () => {
    const { k, mm, a } = setup();
    write(k, mm, a + 4096, 'x');
    write(k, mm, a, 'y');
    runToCompletion(k, doMunmapFirst(k, mm, a + 4096), 'munmap');
    const before = mm.pte(a).pfn;
    runToCompletion(k, migrateRange(k, KT, mm, [a]), 'migrate');
    expect(mm.pte(a).pfn).not.toBe(before);
    expect(mm.pte(a).bits & PTE_WRITE).not.toBe(0);
    expect(k.mem.value[mm.pte(a).pfn]).toBe('y');
    expect(k.mem.isAllocated(before)).toBe(false);
    expect(k.check.broken).toEqual([]);
  });

  it('refuses a pinned page with EAGAIN and leaves it mapped (refcount ≠ expected)', () => {
    const { k, mm, a } = setup();
    write(k, mm, a, 'pinned');
    const pfn = mm.pte(a).pfn;
    k.mem.addPin(pfn, 1); // a GUP pin
    const mark = k.events.length;
    runToCompletion(k, migrateRange(k, KT, mm, [a]), 'migrate');
    expect(mm.pte(a).pfn).toBe(pfn);
    expect(migrations(k)[0]).toMatch(/^EAGAIN/);
    expect(k.events.slice(mark).some((e) => e.e === 'notify')).toBe(false);
    expect(k.check.broken).toEqual([]);
    k.mem.addPin(pfn, -1);
    runToCompletion(k, migrateRange(k, KT, mm, [a]), 'migrate');
    expect(mm.pte(a).pfn).not.toBe(pfn);
  });

  it('leaves migration entries between clear and remap; a fault on one waits until the remap', () => {
    const { k, mm, a } = setup();
    write(k, mm, a, 'v');
    const mig = migrateRange(k, KT, mm, [a]);
    runUntil(k, mig, 'end');
    expect(mm.pte(a).bits & PTE_KIND_MASK).toBe(PTE_MIGRATION);
    expect(mm.pte(a).bits & PTE_WRITE).not.toBe(0);
    expect(k.check.broken).toEqual([]);
    const reader = userAccess(k, mm.id, mm, a, false);
    const y: Yield = reader.next().value as Yield;
    expect(isWait(y) && !y.ready()).toBe(true);
    runUntil(k, mig, 'remap');
    expect(isWait(y) && y.ready()).toBe(true);
    let r = reader.next();
    while (!r.done) r = reader.next();
    expect(r.value.value).toBe('v');
    runToCompletion(k, mig, 'migrate');
    expect(k.check.broken).toEqual([]);
  });

  it('skips the zero page and pages not present', () => {
    const { k, mm, a } = setup();
    runToCompletion(k, userAccess(k, 1, mm, a, false), 'read');
    runToCompletion(k, migrateRange(k, KT, mm, [a, a + 4096]), 'migrate');
    expect(migrations(k)).toEqual([]);
  });
});

describe('kcompactd', () => {
  it('passes over a pinned page and moves the others down', () => {
    const { k, mm, a } = setup(4);
    for (let i = 0; i < 4; i++) write(k, mm, a + i * 4096, i);
    runToCompletion(k, doMunmapFirst(k, mm, a), 'munmap');
    runToCompletion(k, doMunmapFirst(k, mm, a + 4096), 'munmap');
    // pfns 3 and 4 used, 1 and 2 free; pin pfn 4
    k.mem.addPin(4, 1);
    runToCompletion(k, compactMemory(k, KT), 'compact');
    expect(mm.pte(a + 3 * 4096).pfn).toBe(4);
    expect(mm.pte(a + 2 * 4096).pfn).toBe(1);
    expect(k.mem.value[1]).toBe(2);
    expect(k.check.broken).toEqual([]);
  });
});

function doMunmapFirst(k: Kernel, mm: Mm, addr: number) {
  return doMunmap(k, 1, mm, addr, 4096);
}
