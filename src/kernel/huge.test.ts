import { describe, it, expect } from 'vitest';
import { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import { doMmap, doMunmap } from './mmap.js';
import { doFork } from './fork.js';
import { userAccess } from './fault.js';
import { migrateRange } from './migrate.js';
import { changeProtNuma } from './numa.js';
import { splitHugePage } from './huge.js';
import { PMD_HUGE, PTE_PROTNONE, PTE_WRITE } from './pte.js';
import { PG_HEAD } from './frames.js';
import { HPAGE_PMD_SIZE, type Value } from './types.js';
import { runToCompletion } from '../sched/sequential.js';

const RW = { read: true, write: true, exec: false };
const KT = 1_000_000;
function setup(frames = 2048) {
  const k = new Kernel({ frames, swapSlots: 16, trace: true, invariants: true });
  const mm = k.createMm(1);
  const a = runToCompletion(k, doMmap(k, 1, mm, { len: HPAGE_PMD_SIZE, prot: RW, shared: false, huge: true }), 'mmap') as number;
  return { k, mm, a };
}
const write = (k: Kernel, mm: Mm, addr: number, v: Value) => runToCompletion(k, userAccess(k, mm.id, mm, addr, true, v), 'write');
const read = (k: Kernel, mm: Mm, addr: number) => runToCompletion(k, userAccess(k, mm.id, mm, addr, false), 'read').value;
const isHuge = (mm: Mm, a: number) => (mm.pte(a).bits & PMD_HUGE) !== 0;

describe('THP faults', () => {
  it('falls back to 4 KiB pages when no aligned 2 MiB block is free', () => {
    const { k, mm, a } = setup(600);
    write(k, mm, a, 'x');
    expect(isHuge(mm, a)).toBe(false);
    expect(read(k, mm, a)).toBe('x');
    expect(k.events.some((e) => e.e === 'thp' && /fallback/.test(e.what))).toBe(true);
  });

  it('after fork a write splits the shared THP (both mappings) and copies one 4 KiB page', () => {
    const { k, mm, a } = setup();
    write(k, mm, a, 'p');
    const head = mm.pte(a).pfn;
    const child = runToCompletion(k, doFork(k, 1, mm, 2), 'fork');
    expect(isHuge(child, a)).toBe(true);
    expect([k.mem.refcount[head], k.mem.mapcount[head]]).toEqual([2, 2]);
    write(k, child, a, 'c');
    expect(isHuge(child, a)).toBe(false);
    expect(isHuge(mm, a)).toBe(false);
    expect(child.pte(a).pfn).not.toBe(head);
    expect(mm.pte(a).pfn).toBe(head);
    expect(child.pte(a + 4096).pfn).toBe(head + 1);
    expect(k.mem.has(head, PG_HEAD)).toBe(false);
    expect([k.mem.refcount[head + 1], k.mem.mapcount[head + 1]]).toEqual([2, 2]);
    expect(read(k, mm, a)).toBe('p');
    expect(k.check.broken).toEqual([]);
  });

  it('a write to an exclusive read-only THP reuses it (do_huge_pmd_wp_page)', () => {
    const { k, mm, a } = setup();
    write(k, mm, a, 'p');
    const child = runToCompletion(k, doFork(k, 1, mm, 2), 'fork');
    runToCompletion(k, doMunmap(k, 2, child, a, HPAGE_PMD_SIZE), 'munmap');
    expect(mm.pte(a).bits & PTE_WRITE).toBe(0);
    write(k, mm, a + 4096, 'q');
    expect(isHuge(mm, a)).toBe(true);
    expect(mm.pte(a).bits & PTE_WRITE).not.toBe(0);
  });
});

describe('THP and other paths', () => {
  it('munmap of the whole THP frees its 512 frames', () => {
    const { k, mm, a } = setup();
    write(k, mm, a, 1);
    const used = k.mem.used;
    runToCompletion(k, doMunmap(k, 1, mm, a, HPAGE_PMD_SIZE), 'munmap');
    expect(used - k.mem.used).toBe(512);
    expect(k.check.broken).toEqual([]);
  });

  it('migration splits a THP and moves the pages asked for', () => {
    const { k, mm, a } = setup();
    write(k, mm, a + 4096, 'm');
    const head = mm.pte(a).pfn;
    runToCompletion(k, migrateRange(k, KT, mm, [a + 4096]), 'migrate');
    expect(isHuge(mm, a)).toBe(false);
    expect(mm.pte(a).pfn).toBe(head);
    expect(mm.pte(a + 4096).pfn).not.toBe(head + 1);
    expect(read(k, mm, a + 4096)).toBe('m');
    expect(k.check.broken).toEqual([]);
  });

  it('a NUMA scan makes a whole huge PMD protnone; the hinting fault restores it', () => {
    const { k, mm, a } = setup();
    write(k, mm, a, 'n');
    runToCompletion(k, changeProtNuma(k, KT, mm, a, a + HPAGE_PMD_SIZE), 'numa');
    expect(mm.pte(a).bits & PTE_PROTNONE).not.toBe(0);
    expect(read(k, mm, a)).toBe('n');
    expect(mm.pte(a).bits & PTE_PROTNONE).toBe(0);
    expect(isHuge(mm, a)).toBe(true);
  });

  it('splitHugePage keeps pins on the head and gives each page its own counts', () => {
    const { k, mm, a } = setup();
    write(k, mm, a, 1);
    const head = mm.pte(a).pfn;
    k.mem.addPin(head, 1);
    expect(splitHugePage(k, head)).toBe(true);
    k.check.afterStep();
    expect([k.mem.refcount[head], k.mem.mapcount[head]]).toEqual([2, 1]);
    expect([k.mem.refcount[head + 511], k.mem.mapcount[head + 511]]).toEqual([1, 1]);
    expect(k.check.broken).toEqual([]);
  });
});
