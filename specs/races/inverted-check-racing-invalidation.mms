spec "check=inverted under a racing invalidation: the collision makes the inverted check insert the stale pfn"
tags races

process vm1
process intro
vm1: mmap anon heap pages 2
vm1: write heap[0] "precious"
intro: open mirror m of vm1 with check=inverted
intro: mmap m view pages 2 target vm1.heap[0]
race {
  t1 = intro: read view[0]
  t2 = kernel: reclaim vm1.heap[0]
} schedule t1@snapshot, t2, t1
expect violation stale-mirror
