import { describe, it, expect } from 'vitest';
import { Kernel } from '../kernel/kernel.js';
import { Mutex, mutexLock } from '../kernel/locks.js';
import type { Op } from '../kernel/types.js';
import { SchedThread } from './thread.js';
import { runSchedule, runRest, ScheduleError } from './race.js';
import { runSpec } from '../run/interp.js';

const kernel = () => new Kernel({ frames: 16, swapSlots: 16, trace: true, invariants: true });

/** A thread that takes `a`, steps, takes `b`, steps, releases both; `log` records its steps. */
function* twoLocks(a: Mutex, b: Mutex, task: number, log: string[], who: string): Op<void> {
  yield* mutexLock(a, task);
  log.push(`${who}:first`);
  yield 'first';
  yield* mutexLock(b, task);
  log.push(`${who}:second`);
  yield 'second';
  b.unlock(task);
  a.unlock(task);
}

describe('runSchedule', () => {
  it('runs a thread up to the named step, another to its end, then the rest in declaration order', () => {
    const k = kernel();
    const a = new Mutex('A'), b = new Mutex('B'), log: string[] = [];
    const t1 = new SchedThread(0, 't1', 100, twoLocks(a, b, 100, log, 't1'));
    const t2 = new SchedThread(1, 't2', 101, (function* () { log.push('t2'); yield 'x'; })());
    runSchedule(k, [t1, t2], [{ thread: 0, step: 'first' }, { thread: 1 }]);
    expect(log).toEqual(['t1:first', 't2', 't1:second']);
    expect(t1.done && t2.done).toBe(true);
    const lines = k.events.filter((e) => e.e === 'sched').map((e) => (e.e === 'sched' ? `${e.thread}${e.what}` : ''));
    expect(lines).toEqual(['t1@first', 't2@x', 't2 done', 't1@second', 't1 done']);
  });

  it('a thread asked to move while another holds its lock is an error naming both and their steps', () => {
    const k = kernel();
    const a = new Mutex('lock A'), b = new Mutex('lock B');
    const t1 = new SchedThread(0, 't1', 100, twoLocks(a, b, 100, [], 't1'));
    const t2 = new SchedThread(1, 't2', 101, twoLocks(a, b, 101, [], 't2'));
    let err: unknown;
    try { runSchedule(k, [t1, t2], [{ thread: 0, step: 'first' }, { thread: 1 }]); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ScheduleError);
    expect((err as ScheduleError).entry).toBe(1);
    expect((err as Error).message).toBe('t2 cannot run here: before its first step, it would block on lock A, held by t1 (at first)');
  });

  it('a step the thread never reaches is an error; so is a step it has passed', () => {
    const mk = () => new SchedThread(0, 't1', 100, twoLocks(new Mutex('A'), new Mutex('B'), 100, [], 't1'));
    expect(() => runSchedule(kernel(), [mk()], [{ thread: 0, step: 'third' }]))
      .toThrow('t1 never reaches step third: it finished after steps first, second');
    expect(() => runSchedule(kernel(), [mk()], [{ thread: 0, step: 'first', occurrence: 2 }]))
      .toThrow('t1 never reaches step first#2');
    expect(() => runSchedule(kernel(), [mk()], [{ thread: 0, step: 'second' }, { thread: 0, step: 'first' }]))
      .toThrow('t1 is already past first (it is at second)');
  });

  it('no thread able to move with some unfinished is the deadlock violation', () => {
    const k = kernel();
    const a = new Mutex('A'), b = new Mutex('B');
    const t1 = new SchedThread(0, 't1', 100, twoLocks(a, b, 100, [], 't1'));
    const t2 = new SchedThread(1, 't2', 101, twoLocks(b, a, 101, [], 't2'));
    runSchedule(k, [t1, t2], [{ thread: 0, step: 'first' }, { thread: 1, step: 'first' }]);
    const v = k.check.takeFresh();
    expect(v.map((x) => x.kind)).toEqual(['deadlock']);
    expect(v[0]!.detail).toContain('t1 (at first) waits for B, held by t2 (at first)');
    expect(t1.done || t2.done).toBe(false);
  });

  it('runRest lets a blocked thread wait for a later one', () => {
    const k = kernel();
    const m = new Mutex('M');
    m.tryLock(101);
    const t1 = new SchedThread(0, 't1', 100, (function* () { yield* mutexLock(m, 100); yield 'got'; m.unlock(100); })());
    const t2 = new SchedThread(1, 't2', 101, (function* () { yield 'a'; m.unlock(101); yield 'b'; })());
    runRest(k, [t1, t2]);
    expect(t1.done && t2.done).toBe(true);
    expect(k.check.takeFresh()).toEqual([]);
  });
});

const MIRROR = `spec "s"
process vm1
process intro
vm1: mmap anon heap pages 2
vm1: write heap[0] "precious"
intro: open mirror m of vm1
intro: mmap m view pages 2 target vm1.heap[0]
`;

describe('race blocks', () => {
  it('a schedule that makes the invalidation wait for the fault\'s update lock is a located error', () => {
    const src = MIRROR + `race {
  t1 = intro: read view[0]
  t2 = kernel: reclaim vm1.heap[0]
} schedule t1@lock, t2, t1
`;
    // Bad input (exit 2), located at the schedule entry: only running finds it.
    const r = runSpec(src, 'x.mms');
    expect(r.failures).toHaveLength(0);
    expect(r.diagnostics).toHaveLength(1);
    const f = r.diagnostics[0]!;
    expect([f.line, f.col]).toEqual([11, 21]);
    expect(f.message).toBe('schedule: t2 cannot run here: at isolate, it would block on m update lock, held by t1 (at lock)');
  });

  it('a step the thread never takes is a located error', () => {
    const src = MIRROR + `race {
  t1 = intro: read view[0]
  t2 = kernel: reclaim vm1.heap[0]
} schedule t1@check#2, t2
`;
    const f = runSpec(src, 'x.mms').diagnostics[0]!;
    expect([f.line, f.col]).toEqual([11, 12]);
    expect(f.message).toMatch(/^schedule: t1 never reaches step check#2: it finished after steps begin, snapshot, lock, check/);
  });

  it('violations of the interleaving are the race statement\'s, and `expect violation` takes them', () => {
    const src = MIRROR.replace('of vm1', 'of vm1 with api=hmm2019') + `race {
  t1 = intro: read view[0]
  t2 = kernel: reclaim vm1.heap[0]
} schedule t1@snapshot, t2, t1
`;
    const f = runSpec(src + 'expect coherent m\n', 'x.mms').failures[0]!;
    expect(f.line).toBe(8);
    expect(f.message).toMatch(/^violation (use-after-free|stale-mirror)/);
    expect(runSpec(src + 'expect violation stale-mirror\nexpect vm1.heap[0] pte swap\n', 'x.mms').failures).toEqual([]);
  });
});
