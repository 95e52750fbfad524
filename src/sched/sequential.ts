import type { Kernel } from '../kernel/kernel.js';
import { isWait, SimulatorBug, type Op } from '../kernel/types.js';

/**
 * Runs one operation alone, step by step, checking the invariants after every step.
 * Alone, a thread that must wait can only be waiting on itself or on a state nothing
 * will change: that is a simulator bug, reported with what it waited for.
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
        throw new SimulatorBug(`runToCompletion: ${what} waits for ${y.wait} with no other thread to release it`);
      }
    }
  } finally {
    k.stepping = stepping;
  }
}
