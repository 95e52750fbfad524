import { describe, it, expect } from 'vitest';
import { Kernel } from './kernel.js';
import { doMmap } from './mmap.js';
import { userAccess } from './fault.js';
import { mmuNotifierRegister } from './notifier.js';
import { reclaimRange, shrinkLru } from './reclaim.js';
import { PG_ACTIVE, PG_DIRTY, PG_REFERENCED, PG_SWAPCACHE } from './frames.js';
import { PTE_KIND_MASK, PTE_SWAP, PTE_EXCLUSIVE, PTE_YOUNG } from './pte.js';
import { ACTIVE, INACTIVE, lruPages } from './lru.js';
import { runToCompletion } from '../sched/sequential.js';
import { isWait, type Op } from './types.js';

const RW = { read: true, write: true, exec: false };
const KT = 1_000_000;

function setup(frames = 64, slots = 16) {
  const k = new Kernel({ frames, swapSlots: slots, trace: true, invariants: true });
  k.directReclaim = shrinkLru;
  const mm = k.createMm(1);
  const map = (pages: number) => runToCompletion(k, doMmap(k, 1, mm, { len: pages * 4096, prot: RW, shared: false }), 'mmap') as number;
  const write = (addr: number, v: string | number) => runToCompletion(k, userAccess(k, 1, mm, addr, true, v), 'write');
  const read = (addr: number) => runToCompletion(k, userAccess(k, 1, mm, addr, false), 'read');
  return { k, mm, map, write, read };
}

/** The named steps an op yields, run alone. */
function steps<T>(k: Kernel, op: Op<T>): string[] {
  const out: string[] = [];
  for (;;) {
    const r = op.next();
    k.check.afterStep();
    if (r.done) return out;
    if (!isWait(r.value)) out.push(r.value);
  }
}

describe('reclaimRange (reclaim_pages)', () => {
  it('swaps an exclusive anonymous page out under one CLEAR, in the contract steps, and frees it', () => {
    const { k, mm, map, write, read } = setup();
    const a = map(1);
    write(a, 'v');
    const pfn = mm.pte(a).pfn;
    const seen: string[] = [];
    mmuNotifierRegister(mm, {
      name: 't',
      *invalidateRangeStart(r) { seen.push(`start ${r.event} ${r.end - r.start} present=${mm.pte(a).bits & PTE_KIND_MASK}`); return true; },
      *invalidateRangeEnd(r) { seen.push(`end ${r.event}`); },
    });
    expect(steps(k, reclaimRange(k, KT, mm, [a]))).toEqual(['isolate', 'start', 'clear', 'end', 'swapout', 'free']);
    expect(seen).toEqual(['start CLEAR 4096 present=1', 'end CLEAR']);
    const pte = mm.pte(a);
    expect(pte.bits & PTE_KIND_MASK).toBe(PTE_SWAP);
    expect(pte.bits & PTE_EXCLUSIVE).toBe(PTE_EXCLUSIVE);
    expect(k.swap.count[pte.pfn]).toBe(1);
    expect(k.swap.content[pte.pfn]).toBe('v');
    expect(k.mem.isAllocated(pfn)).toBe(false);
    expect(read(a).value).toBe('v');
    expect(k.swap.used).toBe(0);
    expect(k.check.broken).toEqual([]);
  });

  it('skips the zero page and pages not mapped, silently', () => {
    const { k, mm, map, read } = setup();
    const a = map(2);
    read(a);
    runToCompletion(k, reclaimRange(k, KT, mm, [a, a + 4096]), 'reclaim');
    expect(mm.pte(a).pfn).toBe(0);
    expect(k.events.some((e) => e.e === 'reclaim')).toBe(false);
  });

  it('keeps a page with an extra reference (a pin) in the swap cache, mapped nowhere', () => {
    const { k, mm, map, write } = setup();
    const a = map(1);
    write(a, 'p');
    const pfn = mm.pte(a).pfn;
    k.mem.addPin(pfn, 1);
    runToCompletion(k, reclaimRange(k, KT, mm, [a]), 'reclaim');
    expect(k.mem.isAllocated(pfn)).toBe(true);
    expect(k.mem.has(pfn, PG_SWAPCACHE)).toBe(true);
    expect(mm.pte(a).bits & PTE_KIND_MASK).toBe(PTE_SWAP);
    // the pin, the swap cache
    expect(k.mem.refcount[pfn]).toBe(2);
    expect(k.check.broken).toEqual([]);
  });

  it('leaves a page mapped and activated when swap is full', () => {
    const { k, mm, map, write } = setup(64, 1);
    const a = map(2);
    write(a, 1);
    write(a + 4096, 2);
    runToCompletion(k, reclaimRange(k, KT, mm, [a, a + 4096]), 'reclaim');
    expect(mm.pte(a).bits & PTE_KIND_MASK).toBe(PTE_SWAP);
    const pfn = mm.pte(a + 4096).pfn;
    expect(k.mem.has(pfn, PG_ACTIVE)).toBe(true);
    expect(lruPages(k, ACTIVE)).toEqual([pfn]);
  });
});

describe('shrinkLru (LRU aging, direct reclaim)', () => {
  it('gives a young page a second chance, then reclaims it once old; a page young again while referenced is activated', () => {
    const { k, mm, map, write, read } = setup();
    const a = map(2);
    write(a, 'a');
    write(a + 4096, 'b');
    const pa = mm.pte(a).pfn, pb = mm.pte(a + 4096).pfn;
    expect(lruPages(k, INACTIVE)).toEqual([pa, pb]);
    // first look at a: young → referenced, rotated
    expect(runToCompletion(k, shrinkLru(k, 0, KT), 'noop')).toBe(0);
    expect(runToCompletion(k, shrinkLru(k, 1, KT), 'reclaim')).toBe(1);
    expect(mm.pte(a).bits & PTE_KIND_MASK).toBe(PTE_SWAP);
    expect(mm.pte(a + 4096).bits & PTE_YOUNG).toBe(0);
    expect(k.mem.has(pb, PG_REFERENCED)).toBe(true);
    read(a + 4096);
    expect(runToCompletion(k, shrinkLru(k, 1, KT), 'reclaim')).toBe(1);
    // b was activated on its young second look, then deactivated (inactive list empty) and reclaimed
    expect(mm.pte(a + 4096).bits & PTE_KIND_MASK).toBe(PTE_SWAP);
    expect(k.check.broken).toEqual([]);
  });

  it('stops and reports what it freed when nothing is reclaimable', () => {
    const { k, mm, map, write } = setup(64, 0);
    const a = map(3);
    for (let i = 0; i < 3; i++) write(a + i * 4096, i);
    expect(runToCompletion(k, shrinkLru(k, 32, KT), 'reclaim')).toBe(0);
    for (let i = 0; i < 3; i++) expect(mm.pte(a + i * 4096).bits & PTE_KIND_MASK).toBe(1);
  });

  it('is the allocator\'s direct reclaim: a fault with no free frame swaps others out first', () => {
    const { k, mm, map, write, read } = setup(4, 16);
    const a = map(6);
    for (let i = 0; i < 5; i++) expect(write(a + i * 4096, `p${i}`).signal).toBeUndefined();
    expect(mm.pte(a).bits & PTE_KIND_MASK).toBe(PTE_SWAP);
    for (let i = 0; i < 5; i++) expect(read(a + i * 4096).value).toBe(`p${i}`);
    expect(k.check.broken).toEqual([]);
  });

  it('drops clean file pages and writes back dirty shared ones', () => {
    const k = new Kernel({ frames: 64, swapSlots: 4, trace: true, invariants: true });
    const mm = k.createMm(1);
    const f = k.newFile('f', 2, ['f0', 'f1'], false);
    const a = runToCompletion(k, doMmap(k, 1, mm, { len: 2 * 4096, prot: RW, shared: true, file: f }), 'mmap') as number;
    runToCompletion(k, userAccess(k, 1, mm, a, false), 'read');
    runToCompletion(k, userAccess(k, 1, mm, a + 4096, true, 'dirty'), 'write');
    runToCompletion(k, reclaimRange(k, KT, mm, [a, a + 4096]), 'reclaim');
    expect(f.cache.size).toBe(0);
    expect(f.backing).toEqual(['f0', 'dirty']);
    expect(k.swap.used).toBe(0);
    expect(k.check.broken).toEqual([]);
  });

  it('writes a shmem page swapped in by a read fault to swap again (shmem_swapin_folio marks it dirty)', () => {
    const k = new Kernel({ frames: 64, swapSlots: 4, trace: true, invariants: true });
    const mm = k.createMm(1);
    const a = runToCompletion(k, doMmap(k, 1, mm, { len: 4096, prot: RW, shared: true }), 'mmap') as number;
    runToCompletion(k, userAccess(k, 1, mm, a, true, 'v'), 'write');
    runToCompletion(k, reclaimRange(k, KT, mm, [a]), 'reclaim');
    expect(runToCompletion(k, userAccess(k, 1, mm, a, false), 'read').value).toBe('v');
    expect(k.mem.has(mm.pte(a).pfn, PG_DIRTY)).toBe(true);
    expect(k.swap.used).toBe(0);
    runToCompletion(k, reclaimRange(k, KT, mm, [a]), 'reclaim');
    expect(k.swap.used).toBe(1);
    expect(runToCompletion(k, userAccess(k, 1, mm, a, false), 'read').value).toBe('v');
    expect(k.check.broken).toEqual([]);
  });
});

describe('reclaim fast path (sequential runs)', () => {
  /** A subscriber pair whose callbacks wait (a ready Wait: a retry) or refuse at chosen calls. */
  function run(sequential: boolean, waitAt: ReadonlySet<string>, refuseAt: ReadonlySet<string>) {
    const { k, mm, map, write } = setup();
    const a = map(3);
    for (let i = 0; i < 3; i++) write(a + i * 4096, i);
    const log: string[] = [];
    let calls = 0;
    for (const name of ['s1', 's2']) {
      mmuNotifierRegister(mm, {
        name,
        *invalidateRangeStart(r) {
          const key = `${name} start ${(r.start - a) / 4096} #${calls++}`;
          log.push(key);
          if (waitAt.has(key)) yield { wait: key, ready: () => true };
          return !refuseAt.has(key);
        },
        *invalidateRangeEnd(r) {
          const key = `${name} end ${(r.start - a) / 4096} #${calls++}`;
          log.push(key);
          if (waitAt.has(key)) yield { wait: key, ready: () => true };
        },
      });
    }
    const op = reclaimRange(k, KT, mm, [a, a + 4096, a + 8192]);
    // Driven as runToCompletion drives it (not stepping), or stepping; the waits seen either way.
    const waited: string[] = [];
    k.stepping = !sequential;
    for (let r = op.next(); !r.done; r = op.next()) {
      k.check.afterStep();
      if (isWait(r.value)) waited.push(r.value.wait);
    }
    k.stepping = true;
    return { log, waited, events: JSON.stringify(k.events), ptes: [0, 1, 2].map((i) => mm.pte(a + i * 4096)), swap: k.swap.used, broken: k.check.broken };
  }

  const cases: [string, string[], string[]][] = [
    ['no waits', [], []],
    ['first subscriber waits in start', ['s1 start 0 #0', 's1 start 1 #4'], []],
    ['second subscriber waits in start', ['s2 start 1 #5'], []],
    ['a subscriber waits in end', ['s1 end 0 #2', 's2 end 2 #11'], []],
    ['a subscriber refuses after waiting', ['s1 start 1 #4'], ['s1 start 1 #4']],
    ['a subscriber refuses', [], ['s2 start 0 #1']],
  ];
  for (const [what, waits, refusals] of cases) {
    it(`takes the same events and ends in the same state as the stepping path: ${what}`, () => {
      const fast = run(true, new Set(waits), new Set(refusals));
      const general = run(false, new Set(waits), new Set(refusals));
      expect(fast).toEqual(general);
      expect(fast.broken).toEqual([]);
      expect(fast.waited).toEqual(waits);
    });
  }
});
