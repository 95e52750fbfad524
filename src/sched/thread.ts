import { EventLimit, type Kernel } from '../kernel/kernel.js';
import { Mutex, RwSem } from '../kernel/locks.js';
import { isWait, type Op, type Wait } from '../kernel/types.js';

/**
 * One thread of a `race`/`explore` block: a kernel operation driven step by step.
 *
 * A *transition* is one `next()` of the operation: the atomic code up to its next yield.
 * It ends at a named step (`snapshot`), at a {@link Wait} (the thread cannot go on: it is
 * blocked until `ready()`), or at the end of the operation. A blocked thread is not
 * enabled; when its wait becomes ready it retries (the next transition).
 *
 * Invariants: `done` is final; `wait` is set exactly when the last transition ended in a
 * Wait; `steps` counts the named steps taken (for `t1@check#2`).
 */
export class SchedThread {
  done = false;
  wait: Wait | undefined;
  /** Occurrences of each named step so far. */
  readonly steps = new Map<string, number>();
  /** The last named step with its occurrence (`check#2`), or undefined before the first. */
  last: string | undefined;
  transitions = 0;
  /** What the operation threw (a failed `expect` of the thread's statement), if it did. */
  error: unknown;

  constructor(readonly index: number, readonly name: string, readonly task: number, private readonly op: Op<void>) {}

  get enabled(): boolean {
    return !this.done && (this.wait === undefined || this.wait.ready());
  }

  /** Where the thread is, for messages: `at snapshot`, `not started`, `done`. */
  get where(): string {
    if (this.done) return 'done';
    if (this.last === undefined) return this.transitions === 0 ? 'not started' : 'before its first step';
    return `at ${this.last}`;
  }

  /**
   * Runs one transition and checks the invariants after it. Returns what it ended at:
   * a step label (`snapshot`, `check#2`), 'wait', 'done' or 'error' (the op threw:
   * the thread is done and `error` holds the exception). Emits the sched trace line.
   */
  advance(k: Kernel): string {
    this.transitions++;
    let r: IteratorResult<string | Wait, void>;
    try {
      r = this.op.next();
    } catch (e) {
      // The run went past its event limit: not a failure of this thread, the run stops.
      if (e instanceof EventLimit) throw e;
      k.check.afterStep();
      this.done = true;
      this.wait = undefined;
      this.error = e;
      if (k.tracing) k.emit({ e: 'sched', thread: this.name, what: ' failed' });
      return 'error';
    }
    k.check.afterStep();
    if (r.done) {
      this.done = true;
      this.wait = undefined;
      if (k.tracing) k.emit({ e: 'sched', thread: this.name, what: ' done' });
      return 'done';
    }
    const y = r.value;
    if (isWait(y)) {
      this.wait = y;
      if (k.tracing && !y.ready()) k.emit({ e: 'sched', thread: this.name, what: ` waits for ${y.wait}` });
      return 'wait';
    }
    this.wait = undefined;
    const n = (this.steps.get(y) ?? 0) + 1;
    this.steps.set(y, n);
    this.last = n === 1 ? y : `${y}#${n}`;
    if (k.tracing) k.emit({ e: 'sched', thread: this.name, what: `@${this.last}` });
    return this.last;
  }
}

/** Tasks that hold the lock a wait is for (empty when the wait is not on a lock). */
export function lockHolders(w: Wait): number[] {
  const l = w.lock;
  if (l instanceof Mutex) return l.owner !== 0 ? [l.owner] : [];
  if (l instanceof RwSem) return [...(l.writer !== 0 ? [l.writer] : []), ...new Set(l.readers)];
  return [];
}

/** `t2 (at start)` for each thread holding what `t` waits for; other threads when unknown. */
export function describeBlockers(t: SchedThread, threads: readonly SchedThread[]): string {
  const holders = t.wait ? lockHolders(t.wait) : [];
  const named = threads.filter((o) => o !== t && holders.includes(o.task));
  if (named.length > 0) return `held by ${named.map((o) => `${o.name} (${o.where})`).join(', ')}`;
  const others = threads.filter((o) => o !== t && !o.done);
  return others.length > 0 ? `while ${others.map((o) => `${o.name} is ${o.where}`).join(', ')}` : 'with no other thread to release it';
}
