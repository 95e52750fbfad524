spec "The OOM reaper's non-blockable invalidation meets the held update lock: the callback refuses, the reaper skips the VMA"
tags seed, race, oom

# __oom_reap_task_mm uses mmu_notifier_invalidate_range_start_nonblock: a callback that
# would sleep on its lock returns false, and the reaper leaves that VMA's pages alone
# rather than free pages a secondary MMU may be about to map. It reaps `other`, which no
# mirror covers. exit_mmap's release then zaps the mirror after the fault has unlocked.
process vm1
process intro
vm1: mmap anon heap pages 1
vm1: mmap anon other pages 1
vm1: write heap[0] "v"
vm1: write other[0] "w"
intro: open mirror m of vm1
intro: mmap m view pages 1 target vm1.heap[0]
race {
  t1 = intro: read view[0] expect "v"
  t2 = kernel: oom vm1
} schedule t1@lock, t2@end, t1, t2
expect intro.view[0] pte none
expect m counters faults 1, zaps 1
expect coherent m
