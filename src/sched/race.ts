import type { Kernel } from '../kernel/kernel.js';
import { describeBlockers, type SchedThread } from './thread.js';

/** One entry of a race schedule: run `thread` up to and including its `step`#`occurrence`, or to the end. */
export interface ScheduleStep {
  readonly thread: number;
  readonly step?: string;
  readonly occurrence?: number;
}

/** A schedule the threads cannot follow; `entry` is the index of the schedule entry at fault. */
export class ScheduleError extends Error {
  constructor(readonly entry: number, message: string) { super(message); }
}

/**
 * Runs `threads` by `schedule` (spec-language.md §10), then the unfinished ones to their
 * end in declaration order. A thread the schedule asks to move that would block, or that
 * never reaches the named step, is a ScheduleError. When no thread can move and some have
 * not finished, the `deadlock` violation is raised and the race ends there.
 * The first thread error (a failed `expect` of its statement) is rethrown.
 */
export function runSchedule(k: Kernel, threads: readonly SchedThread[], schedule: readonly ScheduleStep[]): void {
  schedule.forEach((entry, i) => runEntry(k, threads, entry, i));
  runRest(k, threads);
}

function runEntry(k: Kernel, threads: readonly SchedThread[], entry: ScheduleStep, i: number): void {
  const t = threads[entry.thread]!;
  const want = entry.step === undefined ? undefined : { step: entry.step, n: entry.occurrence ?? 1 };
  const label = want ? `${want.step}${want.n > 1 ? `#${want.n}` : ''}` : undefined;
  if (want && (t.steps.get(want.step) ?? 0) >= want.n) {
    throw new ScheduleError(i, `${t.name} is already past ${label} (it is ${t.where})`);
  }
  for (;;) {
    if (t.done) {
      if (!want) return;
      const seen = [...t.steps.keys()];
      throw new ScheduleError(i, `${t.name} never reaches step ${label}: it finished` +
        (seen.length ? ` after steps ${seen.join(', ')}` : ' without a named step'));
    }
    if (!t.enabled) {
      throw new ScheduleError(i, `${t.name} cannot run here: ${t.where}, it would block on ${t.wait!.wait}, ${describeBlockers(t, threads)}`);
    }
    t.advance(k);
    if (t.error !== undefined) throw t.error;
    if (want && (t.steps.get(want.step) ?? 0) >= want.n) return;
  }
}

/**
 * The unfinished threads run to their end in declaration order: the first thread that can
 * move runs until it finishes or blocks, then the first that can move again.
 */
export function runRest(k: Kernel, threads: readonly SchedThread[]): void {
  for (;;) {
    const t = threads.find((x) => x.enabled);
    if (!t) break;
    while (t.enabled) {
      t.advance(k);
      if (t.error !== undefined) throw t.error;
    }
  }
  raiseIfDeadlocked(k, threads);
}

/** No thread can move and some have not finished: the `deadlock` violation. */
export function raiseIfDeadlocked(k: Kernel, threads: readonly SchedThread[]): boolean {
  const stuck = threads.filter((t) => !t.done);
  if (stuck.length === 0) return false;
  const detail = stuck.map((t) => `${t.name} (${t.where}) waits for ${t.wait?.wait ?? '?'}, ${describeBlockers(t, threads)}`).join('; ');
  k.check.raise({ kind: 'deadlock', key: `deadlock:${stuck.map((t) => t.name).join(',')}`, detail });
  return true;
}
