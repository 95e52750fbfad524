/**
 * Named atomic steps (spec-language.md §10; kernel-model.md §7, §8): which step names a
 * thread of a race may stop at, by the statement it runs. The table is deliberately
 * permissive where the contract is silent (a statement that may invalidate is allowed
 * every invalidation step); the scheduler is the judge of what actually happens.
 */
import type { ThreadStmt } from './ast.js';

/** The mirror (and dmirror) fault path: read_begin, hmm_range_fault, lock, read_retry, insert, unlock. */
export const MIRROR_FAULT_STEPS = ['begin', 'snapshot', 'lock', 'check', 'insert', 'unlock'] as const;
/**
 * A CPU access that faults: the end of the fault's handling, before the access is retried
 * (mmspec's name; the trace shows it as `[t1@fault]`). Linux: handle_mm_fault() returning
 * to do_user_addr_fault()
 */
export const CPU_FAULT_STEPS = ['fault'] as const;
/** The mirror driver's notifier callback, run inside whichever thread invalidates. */
export const NOTIFIER_STEPS = ['inv-lock', 'inv-zap', 'inv-unlock'] as const;
/** Every invalidating kernel path: invalidate_range_start, the PTE change, invalidate_range_end. */
export const INVALIDATE_STEPS = ['start', 'clear', 'end'] as const;
/** Reclaim of a page adds these to INVALIDATE_STEPS (shrink_page_list). */
export const RECLAIM_STEPS = ['isolate', 'swapout', 'free'] as const;
/** Migration of a page adds these (migrate_pages; also compaction and khugepaged's copy). */
export const MIGRATE_STEPS = ['isolate', 'copy', 'remap', 'free'] as const;
/** exit_mmap and the OOM reaper start with the mm-wide release. */
export const RELEASE_STEPS = ['release'] as const;

const INVALIDATING: readonly string[] = [...INVALIDATE_STEPS, ...NOTIFIER_STEPS];
const FAULTING: readonly string[] = [...MIRROR_FAULT_STEPS, ...INVALIDATING];
const CPU_ACCESS: readonly string[] = [...FAULTING, ...CPU_FAULT_STEPS];
const RECLAIMING: readonly string[] = [...INVALIDATING, ...RECLAIM_STEPS];
const MIGRATING: readonly string[] = [...INVALIDATING, ...MIGRATE_STEPS];

/** Every step name of the contract. */
export const ALL_STEPS: ReadonlySet<string> = new Set([
  ...MIRROR_FAULT_STEPS, ...CPU_FAULT_STEPS, ...NOTIFIER_STEPS, ...INVALIDATE_STEPS, ...RECLAIM_STEPS, ...MIGRATE_STEPS, ...RELEASE_STEPS,
]);

/** The step names a thread running `stmt` may have (empty: the statement is one atomic step). */
export function stepsOf(stmt: ThreadStmt): readonly string[] {
  switch (stmt.type) {
    case 'read': case 'write':
      return CPU_ACCESS;
    case 'dmirrorRead': case 'dmirrorWrite': case 'dmirrorSnapshot':
      return FAULTING;
    case 'munmap': case 'mprotect': case 'mremap': case 'fork':
    case 'mmapAnon': case 'mmapFile': case 'mmapDev':
    case 'kernelNumaScan':
      return INVALIDATING;
    case 'madvise':
      return [...new Set([...RECLAIMING, ...MIGRATING])];
    case 'exit': case 'kernelOom':
      return [...RELEASE_STEPS, ...INVALIDATING];
    case 'kernelReclaim': case 'kernelReclaimPages': case 'kernelWriteback':
      return RECLAIMING;
    case 'kernelMigrate': case 'kernelCompact': case 'kernelKhugepaged': case 'kernelKsm':
      return MIGRATING;
    case 'dmirrorMigrate':
      return [...new Set([...FAULTING, ...MIGRATING])];
    case 'openMirror': case 'openDmirror': case 'close':
      return [];
  }
}
