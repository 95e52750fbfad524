import type { PteValue } from './pte.js';
import type { Errno, Signal, Value } from './types.js';

/** MMU notifier events. Linux: enum mmu_notifier_event (include/linux/mmu_notifier.h) */
export type NotifyEvent =
  | 'UNMAP' | 'CLEAR' | 'PROTECTION_VMA' | 'PROTECTION_PAGE'
  | 'SOFT_DIRTY' | 'RELEASE' | 'MIGRATE' | 'EXCLUSIVE';

/**
 * What the kernel tells the outside world. Structured, never text: src/run/trace.ts
 * renders them. Addresses are numbers, processes are mm ids (= pids).
 */
export type KEvent =
  | { readonly e: 'mmap'; readonly mm: number; readonly start: number; readonly end: number; readonly flags: number; readonly what: string }
  | { readonly e: 'munmap'; readonly mm: number; readonly start: number; readonly end: number }
  | { readonly e: 'mprotect'; readonly mm: number; readonly start: number; readonly end: number; readonly flags: number }
  | { readonly e: 'mremap'; readonly mm: number; readonly from: number; readonly to: number; readonly len: number }
  | { readonly e: 'vma'; readonly mm: number; readonly op: 'split' | 'merge'; readonly start: number; readonly end: number }
  | { readonly e: 'madvise'; readonly mm: number; readonly start: number; readonly end: number; readonly advice: string }
  /** handle_mm_fault and how it was resolved (the Linux function that resolved it). */
  | { readonly e: 'fault'; readonly mm: number; readonly addr: number; readonly access: 'read' | 'write'; readonly how: string }
  /** A PTE changed (set_pte_at, ptep_clear, ...). `huge`: the entry is a PMD. */
  | { readonly e: 'pte'; readonly mm: number; readonly addr: number; readonly old: PteValue; readonly new: PteValue; readonly huge?: boolean }
  | { readonly e: 'alloc'; readonly pfn: number; readonly what: string }
  | { readonly e: 'free'; readonly pfn: number }
  | { readonly e: 'copy'; readonly from: number; readonly to: number; readonly why: string }
  | { readonly e: 'notify'; readonly phase: 'start' | 'end'; readonly mm: number; readonly start: number; readonly end: number; readonly event: NotifyEvent; readonly blockable: boolean }
  | { readonly e: 'release'; readonly mm: number }
  | { readonly e: 'swapout'; readonly pfn: number; readonly slot: number }
  | { readonly e: 'swapin'; readonly slot: number; readonly pfn: number }
  | { readonly e: 'writeback'; readonly pfn: number; readonly file: string; readonly index: number }
  | { readonly e: 'signal'; readonly mm: number; readonly addr: number; readonly sig: Signal; readonly reason: string }
  | { readonly e: 'errno'; readonly mm: number; readonly call: string; readonly errno: Errno; readonly reason: string }
  | { readonly e: 'access'; readonly mm: number; readonly addr: number; readonly op: 'read' | 'write'; readonly value: Value }
  | { readonly e: 'fork'; readonly parent: number; readonly child: number }
  | { readonly e: 'exit'; readonly mm: number }
  | { readonly e: 'oom'; readonly mm: number }
  | { readonly e: 'reclaim'; readonly pfn: number; readonly result: string }
  | { readonly e: 'migrate'; readonly from: number; readonly to: number; readonly result: string }
  | { readonly e: 'thp'; readonly mm: number; readonly addr: number; readonly what: string }
  | { readonly e: 'ksm'; readonly pfn: number; readonly what: string }
  /**
   * A driver's own event (mirror fault steps, counters, ioctls): `dev` names the device;
   * rendered `dev: what [place] [detail]`, the place being [start, end) of mm `at.mm`.
   */
  | { readonly e: 'driver'; readonly dev: string; readonly what: string; readonly at?: { readonly mm: number; readonly start: number; readonly end: number }; readonly detail?: string }
  | { readonly e: 'violation'; readonly kind: ViolationKind; readonly detail: string }
  /** race/explore: thread `thread` finished a step (`@snapshot`), finished (` done`) or blocks (` waits for …`). */
  | { readonly e: 'sched'; readonly thread: string; readonly what: string };

export type ViolationKind = 'stale-mirror' | 'mirror-perm' | 'use-after-free' | 'refcount' | 'livelock' | 'deadlock';
