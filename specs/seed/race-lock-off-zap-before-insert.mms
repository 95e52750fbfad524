spec "lock=off: the callback's zap runs between the fault's check and its insert, so the stale pfn survives"
tags seed, race, variants

# With the update lock the callback would wait for the fault to unlock and then zap the
# inserted PTE; without it, set_seq and zap slip in after the check passed.
process vm1
process intro
vm1: mmap anon heap pages 1
vm1: write heap[0] "v"
intro: open mirror m of vm1 with lock=off
intro: mmap m view pages 1 target vm1.heap[0]
race {
  t1 = intro: read view[0]
  t2 = kernel: reclaim vm1.heap[0]
} schedule t1@check, t2, t1
expect violation stale-mirror
expect m counters faults 1, retries 0, zaps 0
