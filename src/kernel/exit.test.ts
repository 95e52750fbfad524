import { describe, it, expect } from 'vitest';
import { Kernel } from './kernel.js';
import { doMmap } from './mmap.js';
import { doExit } from './exit.js';
import { userAccess } from './fault.js';
import { mmuNotifierRegister } from './notifier.js';
import { runToCompletion } from '../sched/sequential.js';

const RW = { read: true, write: true, exec: false };

describe('doExit (exit_mmap)', () => {
  it('calls release before any PTE is cleared, then unmaps everything inside one UNMAP over all', () => {
    const k = new Kernel({ frames: 64, swapSlots: 16, trace: true, invariants: true });
    const mm = k.createMm(1);
    const a = runToCompletion(k, doMmap(k, 1, mm, { len: 2 * 4096, prot: RW, shared: false }), 'mmap') as number;
    runToCompletion(k, userAccess(k, 1, mm, a, true, 1), 'write');
    const order: string[] = [];
    mmuNotifierRegister(mm, {
      name: 't',
      *release() { order.push(`release present=${mm.pte(a).bits !== 0}`); },
      *invalidateRangeStart(r) { order.push(`start ${r.event} ${r.start}-${r.end === Number.MAX_SAFE_INTEGER ? 'max' : r.end}`); return true; },
    });
    const pfn = mm.pte(a).pfn;
    runToCompletion(k, doExit(k, 1, mm), 'exit');
    expect(order).toEqual(['release present=true', 'start UNMAP 0-max']);
    expect(mm.vmas).toEqual([]);
    expect(mm.dead).toBe(true);
    expect(k.mem.isAllocated(pfn)).toBe(false);
    expect(mm.pt.ptePages).toBe(0);
    const n = k.events.length;
    runToCompletion(k, doExit(k, 1, mm), 'exit');
    expect(k.events.length).toBe(n);
    expect(k.check.broken).toEqual([]);
  });
});
