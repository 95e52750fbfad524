import { describe, it, expect } from 'vitest';
import { Kernel } from './kernel.js';
import { doMmap } from './mmap.js';
import { userAccess, handleMmFault } from './fault.js';
import { oomKill, oomReapTaskMm, pagefaultOutOfMemory } from './oom.js';
import { mmuNotifierRegister } from './notifier.js';
import { runToCompletion } from '../sched/sequential.js';

const RW = { read: true, write: true, exec: false };

function setup() {
  const k = new Kernel({ frames: 64, swapSlots: 4, trace: true, invariants: true });
  const mm = k.createMm(1);
  const anon = runToCompletion(k, doMmap(k, 1, mm, { len: 4096, prot: RW, shared: false }), 'mmap') as number;
  const f = k.newFile('f', 1, ['a'], false);
  const sh = runToCompletion(k, doMmap(k, 1, mm, { len: 4096, prot: RW, shared: true, file: f }), 'mmap') as number;
  runToCompletion(k, userAccess(k, 1, mm, anon, true, 'x'), 'write');
  runToCompletion(k, userAccess(k, 1, mm, sh, true, 's'), 'write');
  return { k, mm, anon, sh };
}

describe('OOM reaper (__oom_reap_task_mm)', () => {
  it('unmaps private memory under non-blockable UNMAP, leaves shared mappings, marks the mm reaped', () => {
    const { k, mm, anon, sh } = setup();
    const seen: string[] = [];
    mmuNotifierRegister(mm, { name: 't', *invalidateRangeStart(r) { seen.push(`${r.event} blockable=${r.blockable}`); return true; } });
    expect(runToCompletion(k, oomReapTaskMm(k, 1_000_000, mm), 'reap')).toBe(true);
    expect(seen).toEqual(['UNMAP blockable=false']);
    expect(mm.pte(anon).bits).toBe(0);
    expect(mm.pte(sh).bits).not.toBe(0);
    expect(mm.oomReaped).toBe(true);
  });

  it('skips a VMA whose subscriber would block, then the exit unmaps everything', () => {
    const { k, mm, anon } = setup();
    mmuNotifierRegister(mm, { name: 'sleepy', *invalidateRangeStart(r) { return r.blockable; } });
    expect(runToCompletion(k, oomReapTaskMm(k, 1_000_000, mm), 'reap')).toBe(false);
    expect(mm.pte(anon).bits).not.toBe(0);
    runToCompletion(k, oomKill(k, 1_000_000, mm), 'oom');
    expect(mm.dead).toBe(true);
    expect(k.mem.used).toBe(1); // the page-cache page of f
    expect(k.check.broken).toEqual([]);
  });
});

describe('OOM victim selection (select_bad_process)', () => {
  it('kills the process with the most memory; on a tie the one created last; a process holding nothing is a candidate', () => {
    const k = new Kernel({ frames: 64, swapSlots: 4, trace: true, invariants: true });
    const mms = [1, 2, 3].map((id) => k.createMm(id));
    const touch = (mm: (typeof mms)[number], pages: number) => {
      const a = runToCompletion(k, doMmap(k, mm.id, mm, { len: pages * 4096, prot: RW, shared: false }), 'mmap') as number;
      for (let i = 0; i < pages; i++) runToCompletion(k, userAccess(k, mm.id, mm, a + i * 4096, true, i), 'write');
    };
    touch(mms[0]!, 2);
    touch(mms[1]!, 2);
    expect(runToCompletion(k, pagefaultOutOfMemory(k, 1_000_000), 'oom')).toBe(mms[1]); // tie: the later one
    expect(runToCompletion(k, pagefaultOutOfMemory(k, 1_000_000), 'oom')).toBe(mms[0]); // 2 points beat 0
    expect(runToCompletion(k, pagefaultOutOfMemory(k, 1_000_000), 'oom')).toBe(mms[2]); // holds nothing
    expect(runToCompletion(k, pagefaultOutOfMemory(k, 1_000_000), 'oom')).toBeUndefined();
    expect(k.check.broken).toEqual([]);
  });
});

describe('an OOM victim', () => {
  it('makes no access once killed (SIGKILL), and a remote fault on its reaped mm gets SIGBUS (check_stable_address_space)', () => {
    const { k, mm, anon } = setup();
    runToCompletion(k, oomKill(k, 1_000_000, mm, true), 'oom'); // reaped, exit left for later
    expect(mm.oomKilled).toBe(true);
    expect(mm.dead).toBe(false);
    expect(runToCompletion(k, userAccess(k, 1, mm, anon, false), 'read').signal?.sig).toBe('SIGKILL');
    const vma = mm.findVma(anon)!;
    const out = runToCompletion(k, handleMmFault(k, 2, vma, anon, true), 'remote fault');
    expect(out).toMatchObject({ kind: 'signal', sig: 'SIGBUS' });
    expect(k.check.broken).toEqual([]);
  });
});
