spec "check=none: a fault that snapshotted before a reclaim inserts the freed pfn (stale-mirror, use-after-free)"
tags seed, race, variants

process vm1
process intro
vm1: mmap anon heap pages 1
vm1: write heap[0] "v"
intro: open mirror m of vm1 with check=none
intro: mmap m view pages 1 target vm1.heap[0]
race {
  t1 = intro: read view[0]
  t2 = kernel: reclaim vm1.heap[0]
} schedule t1@snapshot, t2, t1
expect violation stale-mirror
expect m counters faults 1, retries 0
