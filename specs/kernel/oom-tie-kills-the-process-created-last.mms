spec "OOM: among processes holding the same memory the one created last is killed, and a process holding no resident memory can still be chosen — a fault out of memory never ends in SIGBUS"
tags kernel, oom, pressure, shmem

# oom_evaluate_task() replaces its choice on an equal oom_badness() score, so the last
# candidate of a tie wins; a process with no resident pages still scores 0, more than
# the initial LONG_MIN. Here all memory is shmem that no process maps any more (reclaim
# unmapped it, and the full swap keeps it in memory): every process scores 0, the last
# created — the faulting one — is killed, and its access ends in SIGKILL.
memory 4 frames
swap 1 slots
process a
a: mmap anon sh pages 5 shared
a: write sh[0..5] "s"
kernel: reclaim a.sh[0..5]
expect a.sh[0..5] pte none
a: fork b
b: mmap anon heap pages 1
b: write heap[0] "b" expect SIGKILL
expect trace {
  ...
  oom b
  ...
  signal b heap[0] SIGKILL: killed by the OOM killer
}
expect a.sh[0..5] holds "s"
