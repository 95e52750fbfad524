import type { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import { VM_PFNMAP, VM_SHARED } from './vma.js';
import { mmuNotifierInvalidateRangeStart, mmuNotifierInvalidateRangeEnd, type NotifierRange } from './notifier.js';
import { zapPageRange } from './memory.js';
import { doExit } from './exit.js';
import { HPAGE_PMD_NR, HPAGE_PMD_SIZE, type Op } from './types.js';
import { PTE_KIND_MASK, PTE_PRESENT, PTE_SPECIAL, PTE_SWAP } from './pte.js';

/**
 * The OOM killer for a fault that found no memory: picks the process with the most
 * memory (resident pages plus swap entries), kills and reaps it. Every live process that
 * was not killed already is a candidate, also one holding nothing (oom_badness() gives it
 * 0 points, which beats the initial LONG_MIN); on an equal score the later candidate
 * replaces the choice, so among tied processes the one created last is killed. Returns
 * the victim's mm, or undefined when no process is left to kill.
 * Linux: out_of_memory() → select_bad_process() → oom_evaluate_task(), oom_badness()
 * (reached from the allocator, __alloc_pages_may_oom(); see fault.ts userAccess)
 */
export function* pagefaultOutOfMemory(k: Kernel, task: number, deferExit = false): Op<Mm | undefined> {
  let victim: Mm | undefined;
  let worst = -1;
  for (const mm of [...k.mms.values()].sort((a, b) => a.id - b.id)) {
    if (mm.dead || mm.oomReaped || mm.oomKilled) continue;
    const points = oomBadness(mm);
    if (points >= worst) { worst = points; victim = mm; }
  }
  if (victim) yield* oomKill(k, task, victim, deferExit);
  return victim;
}

/** Pages a process holds: present normal PTEs and swap entries. Linux: oom_badness() (rss + swapents) */
function oomBadness(mm: Mm): number {
  let points = 0;
  for (const vma of mm.vmas) {
    for (const [base, page] of mm.pt.ptePagesIn(vma.start, vma.end)) {
      for (let i = 0; i < 512; i++) {
        const addr = base + i * 4096;
        if (addr < vma.start || addr >= vma.end) continue;
        const kind = page.bits[i]! & PTE_KIND_MASK;
        if ((kind === PTE_PRESENT && (page.bits[i]! & PTE_SPECIAL) === 0 && page.pfn[i] !== 0) || kind === PTE_SWAP) points++;
      }
    }
    for (let base = vma.start - (vma.start % HPAGE_PMD_SIZE); base < vma.end; base += HPAGE_PMD_SIZE) {
      const pmd = mm.hugePmd(base);
      if (pmd.bits !== 0 && pmd.pfn !== 0) points += HPAGE_PMD_NR;
    }
  }
  return points;
}

/**
 * OOM-kills the process owning `mm`: the OOM reaper unmaps what can be freed without
 * blocking, then the victim exits (exit_mmap tears down the rest). With `deferExit` (a
 * kill from inside a fault that holds mmap_lock — hmm_range_fault on behalf of a driver —
 * where the victim's exit_mmap could not take it), the exit is left to the victim's next
 * chance to run: the caller must run doExit later (the interpreter does, after the
 * statement). Linux: oom_kill_process() → __oom_kill_process(); oom_reaper →
 * oom_reap_task_mm(); the victim's own do_exit() → exit_mmap(), whenever it runs
 */
export function* oomKill(k: Kernel, task: number, mm: Mm, deferExit = false): Op<void> {
  k.emit({ e: 'oom', mm: mm.id });
  mm.oomKilled = true;
  yield* oomReapTaskMm(k, task, mm);
  if (!deferExit) yield* doExit(k, task, mm);
}

/**
 * The reaper: under mmap_lock for read (trylock: a writer holding it makes the reaper
 * give up), each private or anonymous VMA (not VM_PFNMAP) is zapped under a
 * non-blockable UNMAP invalidation of the whole VMA. A VMA whose invalidation start fails
 * (a subscriber would have to sleep) is skipped, its pages left for exit_mmap. Shared
 * file and shmem mappings are left alone. The mm is then marked reaped (MMF_OOM_SKIP).
 * Steps per VMA: start, clear, end.
 * Linux: oom_reap_task_mm() → __oom_reap_task_mm(), mmu_notifier_invalidate_range_start_nonblock()
 */
export function* oomReapTaskMm(k: Kernel, task: number, mm: Mm): Op<boolean> {
  if (!mm.mmapLock.tryRead(task)) return false;
  let complete = true;
  try {
    for (const vma of [...mm.vmas]) {
      if (vma.has(VM_PFNMAP)) continue;
      if (!vma.isAnon && vma.has(VM_SHARED)) continue;
      const range: NotifierRange = { mm, start: vma.start, end: vma.end, event: 'UNMAP', blockable: false, task };
      if (!(yield* mmuNotifierInvalidateRangeStart(k, range))) {
        complete = false;
        continue;
      }
      if (k.step('start')) yield 'start';
      zapPageRange(k, vma, vma.start, vma.end);
      if (k.step('clear')) yield 'clear';
      yield* mmuNotifierInvalidateRangeEnd(k, range);
      if (k.step('end')) yield 'end';
    }
  } finally {
    mm.mmapLock.upRead(task);
  }
  mm.oomReaped = true;
  return complete;
}
