import { describe, it, expect } from 'vitest';
import { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import { doMmap, doMunmap } from './mmap.js';
import { userAccess } from './fault.js';
import { IntervalSub, mmuIntervalNotifierInsert, mmuIntervalReadBegin } from './notifier.js';
import {
  hmmRangeFault, hmmRangeInit, hmmMirrorRegister, hmmRangeRegister, hmmRangeValid,
  HMM_PFN_VALID, HMM_PFN_WRITE, HMM_PFN_ERROR, HMM_PFN_REQ_FAULT, HMM_PFN_REQ_WRITE,
} from './hmm.js';
import { ZERO_PFN } from './frames.js';
import { PAGE_SIZE, type Op } from './types.js';
import { runToCompletion } from '../sched/sequential.js';

const RW = { read: true, write: true, exec: false };
const R = { read: true, write: false, exec: false };
const NONE = { read: false, write: false, exec: false };

function setup() {
  const k = new Kernel({ frames: 64, swapSlots: 16, trace: true, invariants: true });
  const mm = k.createMm(1);
  return { k, mm };
}
const run = <T>(k: Kernel, op: Op<T>): T => runToCompletion(k, op, 'test');
const mmap = (k: Kernel, mm: Mm, pages: number, prot = RW) => run(k, doMmap(k, 1, mm, { len: pages * PAGE_SIZE, prot, shared: false })) as number;
/** hmm_range_fault on one page with `flags`, as a driver calls it (mmap_lock held). */
function fault1(k: Kernel, mm: Mm, addr: number, flags: number) {
  const range = hmmRangeInit(mm, addr, addr + PAGE_SIZE, flags, undefined);
  mm.mmapLock.tryRead(9);
  const r = run(k, hmmRangeFault(k, 9, range));
  mm.mmapLock.upRead(9);
  return { r, e: range.hmmPfns[0]! };
}

describe('hmm_range_fault (kernel-model §6)', () => {
  it('a none PTE: 0 without REQ_FAULT; a read fault maps the zero page (valid, read-only); a write fault a writable page', () => {
    const { k, mm } = setup();
    const a = mmap(k, mm, 2);
    expect(fault1(k, mm, a, 0)).toEqual({ r: 0, e: { pfn: 0, flags: 0 } });
    expect(fault1(k, mm, a, HMM_PFN_REQ_FAULT)).toEqual({ r: 0, e: { pfn: ZERO_PFN, flags: HMM_PFN_VALID } });
    const w = fault1(k, mm, a + PAGE_SIZE, HMM_PFN_REQ_FAULT | HMM_PFN_REQ_WRITE);
    expect(w.r).toBe(0);
    expect(w.e.flags).toBe(HMM_PFN_VALID | HMM_PFN_WRITE);
    expect(w.e.pfn).toBe(mm.pte(a + PAGE_SIZE).pfn);
  });

  it('a write request on the zero page breaks COW in the target first', () => {
    const { k, mm } = setup();
    const a = mmap(k, mm, 1);
    run(k, userAccess(k, 1, mm, a, false));
    const w = fault1(k, mm, a, HMM_PFN_REQ_FAULT | HMM_PFN_REQ_WRITE);
    expect(w.e.flags & HMM_PFN_WRITE).toBeTruthy();
    expect(w.e.pfn).not.toBe(ZERO_PFN);
  });

  it('no VMA or an unreadable VMA: ERROR, or -EFAULT when a fault is asked for', () => {
    const { k, mm } = setup();
    const a = mmap(k, mm, 1, NONE);
    expect(fault1(k, mm, a, 0).e.flags).toBe(HMM_PFN_ERROR);
    expect(fault1(k, mm, a, HMM_PFN_REQ_FAULT).r).toBe('EFAULT');
    expect(fault1(k, mm, a + 8 * PAGE_SIZE, HMM_PFN_REQ_FAULT).r).toBe('EFAULT');
  });

  it('a write request in a VMA without VM_WRITE: -EPERM', () => {
    const { k, mm } = setup();
    const a = mmap(k, mm, 1, R);
    expect(fault1(k, mm, a, HMM_PFN_REQ_FAULT | HMM_PFN_REQ_WRITE).r).toBe('EPERM');
    expect(fault1(k, mm, a, HMM_PFN_REQ_FAULT).r).toBe(0);
  });

  it('returns -EBUSY before walking when the interval sequence moved', () => {
    const { k, mm } = setup();
    const a = mmap(k, mm, 2);
    run(k, userAccess(k, 1, mm, a, true, 'x'));
    const sub = new IntervalSub(mm, a, a + 2 * PAGE_SIZE, { name: 't', *invalidate(s, _r, cur) { s.invalidateSeq = cur; return true; } }, undefined);
    mmuIntervalNotifierInsert(sub);
    const seq = run(k, mmuIntervalReadBegin(sub));
    run(k, doMunmap(k, 1, mm, a + PAGE_SIZE, PAGE_SIZE));
    const range = hmmRangeInit(mm, a, a + PAGE_SIZE, HMM_PFN_REQ_FAULT, { notifier: sub, seq });
    expect(run(k, hmmRangeFault(k, 9, range))).toBe('EBUSY');
  });
});

describe('the v5.2 struct hmm valid flag', () => {
  it('is cleared by an overlapping invalidation start and set again, for every range, when the last one ends', () => {
    const { k, mm } = setup();
    const a = mmap(k, mm, 2);
    run(k, userAccess(k, 1, mm, a, true, 'x'));
    hmmMirrorRegister({ name: 't', *syncCpuDevicePagetables() { return true; } }, mm);
    const range = hmmRangeRegister(mm, a, a + PAGE_SIZE);
    expect(hmmRangeValid(range)).toBe(true);
    run(k, doMunmap(k, 1, mm, a, PAGE_SIZE));
    // the invalidation came and went: "valid" again, though the snapshot is stale
    expect(hmmRangeValid(range)).toBe(true);
  });
});
