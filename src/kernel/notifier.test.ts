import { describe, it, expect } from 'vitest';
import { Kernel } from './kernel.js';
import {
  IntervalSub, mmuIntervalNotifierInsert, mmuIntervalReadBegin, mmuIntervalReadRetry, mmuIntervalSetSeq,
  mmuNotifierInvalidateRangeStart, mmuNotifierInvalidateRangeEnd, mmuNotifierRegister, type NotifierRange,
} from './notifier.js';
import { isWait, type Op, type Yield } from './types.js';
import { runToCompletion } from '../sched/sequential.js';

function setup() {
  const k = new Kernel({ frames: 16, swapSlots: 16, trace: true, invariants: true });
  const mm = k.createMm(1);
  const calls: number[] = [];
  const sub = new IntervalSub(mm, 0x1000, 0x3000, {
    name: 'test',
    *invalidate(s, _range, curSeq): Op<boolean> { calls.push(curSeq); mmuIntervalSetSeq(s, curSeq); return true; },
  }, undefined);
  mmuIntervalNotifierInsert(sub);
  return { k, mm, sub, calls };
}
const range = (mm: NotifierRange['mm'], start: number, end: number): NotifierRange =>
  ({ mm, start, end, event: 'CLEAR', blockable: true, task: 9 });

/** Drives an op to its first Wait (or its end), returning what it yielded last. */
function firstYield<T>(op: Op<T>): IteratorResult<Yield, T> { return op.next(); }

describe('interval notifier sequence protocol (mm/mmu_notifier.c)', () => {
  it('is even when idle; a subscription inserted while idle starts at seq - 1', () => {
    const { mm, sub } = setup();
    expect(mm.notifiers.invalidateSeq).toBe(2);
    expect(sub.invalidateSeq).toBe(1);
  });

  it('an overlapping invalidation makes the mm seq odd, calls the driver with it, and ends even', () => {
    const { k, mm, sub, calls } = setup();
    const r = range(mm, 0x2000, 0x3000);
    runToCompletion(k, mmuNotifierInvalidateRangeStart(k, r), 'start');
    expect(mm.notifiers.invalidateSeq).toBe(3);
    expect(calls).toEqual([3]);
    expect(sub.invalidateSeq).toBe(3);
    runToCompletion(k, mmuNotifierInvalidateRangeEnd(k, r), 'end');
    expect(mm.notifiers.invalidateSeq).toBe(4);
  });

  it('a non-overlapping invalidation neither calls the driver nor changes the seq', () => {
    const { k, mm, calls } = setup();
    const r = range(mm, 0x8000, 0x9000);
    runToCompletion(k, mmuNotifierInvalidateRangeStart(k, r), 'start');
    expect(mm.notifiers.invalidateSeq).toBe(2);
    runToCompletion(k, mmuNotifierInvalidateRangeEnd(k, r), 'end');
    expect(calls).toEqual([]);
    expect(mm.notifiers.invalidateSeq).toBe(2);
  });

  it('read_retry sees an invalidation that started and ended after read_begin', () => {
    const { k, mm, sub } = setup();
    const seq = runToCompletion(k, mmuIntervalReadBegin(sub), 'begin');
    expect(mmuIntervalReadRetry(sub, seq)).toBe(false);
    const r = range(mm, 0x1000, 0x2000);
    runToCompletion(k, mmuNotifierInvalidateRangeStart(k, r), 'start');
    runToCompletion(k, mmuNotifierInvalidateRangeEnd(k, r), 'end');
    expect(mmuIntervalReadRetry(sub, seq)).toBe(true);
  });

  it('read_begin waits while an invalidation that already called the subscription is in progress', () => {
    const { k, mm, sub } = setup();
    const r = range(mm, 0x1000, 0x2000);
    runToCompletion(k, mmuNotifierInvalidateRangeStart(k, r), 'start');
    const begin = mmuIntervalReadBegin(sub);
    const y = firstYield(begin);
    expect(y.done).toBe(false);
    expect(isWait(y.value as Yield) && !(y.value as { ready(): boolean }).ready()).toBe(true);
    runToCompletion(k, mmuNotifierInvalidateRangeEnd(k, r), 'end');
    expect((y.value as { ready(): boolean }).ready()).toBe(true);
    const done = begin.next();
    expect(done.done).toBe(true);
    // The seq it returns is the invalidation's: a retry check right after sees no collision.
    expect(mmuIntervalReadRetry(sub, done.value as number)).toBe(false);
  });

  it('nested invalidations keep the seq odd until the last one ends', () => {
    const { k, mm } = setup();
    const a = range(mm, 0x1000, 0x2000), b = range(mm, 0x2000, 0x3000);
    runToCompletion(k, mmuNotifierInvalidateRangeStart(k, a), 'a');
    runToCompletion(k, mmuNotifierInvalidateRangeStart(k, b), 'b');
    runToCompletion(k, mmuNotifierInvalidateRangeEnd(k, a), 'a');
    expect(mm.notifiers.invalidateSeq % 2).toBe(1);
    runToCompletion(k, mmuNotifierInvalidateRangeEnd(k, b), 'b');
    expect(mm.notifiers.invalidateSeq % 2).toBe(0);
  });

  it('a non-blockable start that a subscriber refuses returns false and still ends the range', () => {
    const { k, mm } = setup();
    mmuNotifierRegister(mm, { name: 'busy', *invalidateRangeStart(): Op<boolean> { return false; } });
    const r: NotifierRange = { ...range(mm, 0x1000, 0x2000), blockable: false };
    expect(runToCompletion(k, mmuNotifierInvalidateRangeStart(k, r), 'start')).toBe(false);
    expect(mm.notifiers.activeInvalidateRanges).toBe(0);
    expect(mm.notifiers.invalidateSeq % 2).toBe(0);
  });

  it('emits start and end events with the event kind', () => {
    const { k, mm } = setup();
    const r = range(mm, 0x1000, 0x2000);
    runToCompletion(k, mmuNotifierInvalidateRangeStart(k, r), 'start');
    runToCompletion(k, mmuNotifierInvalidateRangeEnd(k, r), 'end');
    expect(k.events.filter((e) => e.e === 'notify').map((e) => e.e === 'notify' && `${e.phase} ${e.event}`)).toEqual(['start CLEAR', 'end CLEAR']);
  });
});
