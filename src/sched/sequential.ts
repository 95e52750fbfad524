import type { Kernel } from '../kernel/kernel.js';
import { attachedTo, isWait, SimulatorBug, type Op } from '../kernel/types.js';

/**
 * A sequential operation that can never go on: it waits for a lock that is held — by
 * itself (an AA deadlock) or by an operation that hung before — and no other thread is
 * there to release it. The `deadlock` violation has been raised; the operation is
 * abandoned where it stands, holding what it holds, as a task hung in the kernel would.
 */
export class TaskHung extends Error {
  constructor(readonly wait: string) { super(`hung: waits for ${wait}`); }
}

/**
 * Runs one operation alone, step by step, checking the invariants after every step.
 * Alone, a thread that must wait can only be waiting on itself or on a state nothing
 * will change. A wait for a held lock is a deadlock the simulated kernel really has
 * (TaskHung, with the `deadlock` violation); any other is a simulator bug, reported with
 * what it waited for.
 */
export function runToCompletion<T>(k: Kernel, op: Op<T>, what: string): T {
  const stepping = k.stepping;
  k.stepping = false;
  try {
    for (;;) {
      const r = op.next();
      k.check.afterStep();
      if (r.done) return r.value;
      const y = r.value;
      if (isWait(y) && !y.ready()) {
        // A wait whose condition already holds is a retry; anything else cannot progress.
        // Behind a held lock, or behind an operation that hung before (an invalidation it
        // left in progress, a page it left locked): a deadlock the simulated kernel has.
        const hung = hungOps(k);
        const held = (y.lock as { held?: boolean } | undefined)?.held === true;
        if (held || hung.length > 0) {
          const behind = held ? '' : ` (${hung.join('; ')} hangs already)`;
          k.check.raise({ kind: 'deadlock', key: `deadlock:${what}:${y.wait}`, detail: `${what} waits for ${y.wait}, and nothing can release it${behind}: the task hangs` });
          hung.push(what);
          throw new TaskHung(y.wait);
        }
        throw new SimulatorBug(`runToCompletion: ${what} waits for ${y.wait} with no other thread to release it`);
      }
    }
  } finally {
    k.stepping = stepping;
  }
}

const HUNG = {};
/** The operations of this kernel that hung so far, as their callers named them. */
function hungOps(k: Kernel): string[] {
  return attachedTo(k, HUNG, () => [] as string[]);
}
