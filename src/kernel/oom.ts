import type { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import { bug, type Op } from './types.js';

/**
 * Being written. Linux: mm/oom_kill.c oom_kill_process() → __oom_reap_task_mm()
 */
export function* oomKill(k: Kernel, task: number, mm: Mm): Op<void> {
  void k; void task; void mm;
  return bug('oomKill: not implemented yet');
}
