spec "v5.2 hmm_range_valid: the schedule snapshot, whole reclaim, check inserts a stale pfn"
tags races, hmm2019

process vm1
process intro
vm1: mmap anon heap pages 2
vm1: write heap[0] "precious"
intro: open mirror m of vm1 with api=hmm2019
intro: mmap m view pages 2 target vm1.heap[0]
race {
  t1 = intro: read view[0]
  t2 = kernel: reclaim vm1.heap[0]
} schedule t1@snapshot, t2, t1
expect violation stale-mirror
expect vm1.heap[0] pte swap
expect m counters faults 1, retries 0
