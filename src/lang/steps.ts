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
/** mmap_region(): the new VMA is in place (after unmapping what a fixed placement covered). */
export const MMAP_STEPS = ['mmap'] as const;
/**
 * A CPU fault on a device-private entry migrates the page back (the driver's
 * migrate_to_ram: migrate_vma_setup → the copy → migrate_vma_pages, migrate_vma_finalize):
 * the invalidation steps, then `remap` and `free` as in a migration (no `isolate`: the
 * page is collected from the PTE, and no `copy` step: the driver copies within `remap`'s
 * transition). Linux: do_swap_page() → pgmap->ops->migrate_to_ram()
 */
export const TO_RAM_STEPS = ['remap', 'free'] as const;

const INVALIDATING: readonly string[] = [...INVALIDATE_STEPS, ...NOTIFIER_STEPS];
const FAULTING: readonly string[] = [...MIRROR_FAULT_STEPS, ...INVALIDATING];
const RECLAIMING: readonly string[] = [...INVALIDATING, ...RECLAIM_STEPS];
const MIGRATING: readonly string[] = [...INVALIDATING, ...MIGRATE_STEPS];
/**
 * What any statement that may allocate a frame can also stop at: an allocation that finds
 * no free frame reclaims first, in the allocating thread. Linux: __alloc_pages_slowpath() →
 * __alloc_pages_direct_reclaim() → shrink_folio_list()
 */
const ALLOCATING: readonly string[] = RECLAIMING;
/**
 * A fault of the device (hmm_range_fault → handle_mm_fault): the mirror fault steps, and
 * whatever the fault of the target page does — a COW break (invalidation), a swap-in or a
 * first touch that reclaims (allocation), a migration back from device memory.
 */
const DEVICE_FAULT: readonly string[] = uniq([...FAULTING, ...ALLOCATING, ...TO_RAM_STEPS]);
/**
 * A CPU access: its own faults as a device fault's, the `fault` step, and the OOM kill a
 * fault that found no memory runs in the faulting task (the victim's exit: `release`,
 * then its unmapping). Linux: do_user_addr_fault() → pagefault_out_of_memory()
 */
const CPU_ACCESS: readonly string[] = uniq([...DEVICE_FAULT, ...CPU_FAULT_STEPS, ...RELEASE_STEPS]);

function uniq(names: readonly string[]): readonly string[] {
  return [...new Set(names)];
}

/** Every step name of the contract. */
export const ALL_STEPS: ReadonlySet<string> = new Set([
  ...MIRROR_FAULT_STEPS, ...CPU_FAULT_STEPS, ...NOTIFIER_STEPS, ...INVALIDATE_STEPS, ...RECLAIM_STEPS, ...MIGRATE_STEPS, ...RELEASE_STEPS,
  ...MMAP_STEPS,
]);

/**
 * The step names a thread running `stmt` may have (empty: the statement is one atomic
 * step): every name its operation can stop at, through every path it may take (a unit
 * test runs each kind of statement and compares what its traces show with this table).
 */
export function stepsOf(stmt: ThreadStmt): readonly string[] {
  switch (stmt.type) {
    case 'read': case 'write':
      return CPU_ACCESS;
    case 'dmirrorRead': case 'dmirrorWrite': case 'dmirrorSnapshot':
      return DEVICE_FAULT;
    case 'munmap': case 'mprotect': case 'mremap': case 'fork':
    case 'kernelNumaScan':
      return INVALIDATING;
    case 'mmapAnon': case 'mmapFile': case 'mmapDev':
      // A fixed placement over a mapping unmaps it first (an UNMAP invalidation).
      return [...MMAP_STEPS, ...INVALIDATING];
    case 'madvise':
      // willneed swaps in and collapse allocates: both may reclaim.
      return uniq([...RECLAIMING, ...MIGRATING]);
    case 'exit': case 'kernelOom':
      return [...RELEASE_STEPS, ...INVALIDATING];
    case 'kernelReclaim': case 'kernelReclaimPages': case 'kernelWriteback':
      return RECLAIMING;
    case 'kernelMigrate': case 'kernelCompact': case 'kernelKhugepaged': case 'kernelKsm':
      return MIGRATING;
    case 'dmirrorMigrate':
      // Device pages are allocated as frames, which may reclaim.
      return uniq([...FAULTING, ...MIGRATING, ...ALLOCATING]);
    case 'openMirror': case 'openDmirror': case 'close':
      return [];
  }
}
