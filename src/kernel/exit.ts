import type { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import { downRead, downWrite } from './locks.js';
import {
  mmuNotifierRelease, mmuNotifierInvalidateRangeStart, mmuNotifierInvalidateRangeEnd, type NotifierRange,
} from './notifier.js';
import { zapPageRange } from './memory.js';
import { removeVma } from './mmap.js';
import type { Op } from './types.js';

/**
 * ULONG_MAX as an end address: exit's unmap covers the whole address space, as Linux's
 * unmap_vmas(…, 0, ULONG_MAX) does (traces render such a range as `all`).
 */
export const ADDR_MAX = Number.MAX_SAFE_INTEGER;

/**
 * Tears an address space down when its last user goes (the process exits, or the OOM
 * killer's victim dies after the reaper has done its part):
 *   1. `release`: every classic subscriber's release(), before any page is unmapped
 *      (a mirror must stop using the mm now);
 *   2. under mmap_lock for read, one UNMAP invalidation over [0, ULONG_MAX) around the
 *      zap of every VMA (`start`, `clear`, `end`) — pages lose their mappings and
 *      references, swap entries their slots;
 *   3. under mmap_lock for write, the page tables are freed and the VMAs removed
 *      (vm_ops->close for driver VMAs); the mm is dead (MMF_OOM_SKIP).
 * Calling it again on a dead mm does nothing.
 * Linux: do_exit() → exit_mm() → mmput() → exit_mmap()
 */
export function* doExit(k: Kernel, task: number, mm: Mm): Op<void> {
  if (mm.dead) return;
  k.emit({ e: 'exit', mm: mm.id });
  yield* mmuNotifierRelease(k, mm, task);
  if (k.step('release')) yield 'release';
  yield* downRead(mm.mmapLock, task);
  try {
    if (mm.vmas.length > 0) yield* unmapVmasAll(k, task, mm);
  } finally {
    mm.mmapLock.upRead(task);
  }
  yield* downWrite(mm.mmapLock, task);
  try {
    for (const vma of [...mm.vmas]) removeVma(k, mm, vma);
    mm.dead = true;
  } finally {
    mm.mmapLock.upWrite(task);
  }
}

/** Zaps every VMA inside one UNMAP invalidation of the whole address space. Linux: unmap_vmas() */
function* unmapVmasAll(k: Kernel, task: number, mm: Mm): Op<void> {
  const range: NotifierRange = { mm, start: 0, end: ADDR_MAX, event: 'UNMAP', blockable: true, task };
  yield* mmuNotifierInvalidateRangeStart(k, range);
  if (k.step('start')) yield 'start';
  for (const vma of [...mm.vmas]) zapPageRange(k, vma, vma.start, vma.end);
  if (k.step('clear')) yield 'clear';
  yield* mmuNotifierInvalidateRangeEnd(k, range);
  if (k.step('end')) yield 'end';
}
