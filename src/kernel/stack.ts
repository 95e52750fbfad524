import type { Kernel } from './kernel.js';
import { attachedTo, KernelPanic } from './types.js';

/**
 * The kernel stack of each task, as far as recursion through drivers is concerned: a
 * notifier callback whose zap starts another invalidation, a fault that hmm_range_fault
 * turns into another fault. A driver that ends up calling itself again (a mirror view of
 * its own VMA, with no lock to stop it) recurses until the stack overflows, and the
 * kernel panics. Each nesting frame is counted; past the limit is the overflow.
 * Linux: THREAD_SIZE (16 KiB on x86-64), handle_stack_overflow() → panic
 */
export const MAX_NESTING = 32;

const DEPTH = {};

/** Enters one nested frame of `task`, or panics when the stack is full. */
export function kernelStackEnter(k: Kernel, task: number, what: string): void {
  const depth = attachedTo(k, DEPTH, () => new Map<number, number>());
  const d = (depth.get(task) ?? 0) + 1;
  if (d > MAX_NESTING) {
    depth.set(task, 0);
    throw new KernelPanic(`kernel stack overflow: ${what} nest ${MAX_NESTING} deep in one task — a driver calls itself again through them`);
  }
  depth.set(task, d);
}

/** Leaves the frame kernelStackEnter entered. */
export function kernelStackLeave(k: Kernel, task: number): void {
  const depth = attachedTo(k, DEPTH, () => new Map<number, number>());
  depth.set(task, Math.max(0, (depth.get(task) ?? 1) - 1));
}
