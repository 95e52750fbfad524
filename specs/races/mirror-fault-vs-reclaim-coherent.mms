spec "The default mirror stays coherent in every interleaving of a mirror fault with reclaim of its target page"
tags races, reclaim

# The seed's design with the interval API: a collision between snapshot and check is
# caught by mmu_interval_read_retry and the fault retries; a callback that runs after
# the insert zaps the new mirror PTE. No interleaving leaves a stale mirror PTE.
process vm1
process intro
vm1: mmap anon heap pages 2
vm1: write heap[0] "precious"
intro: open mirror m of vm1
intro: mmap m view pages 2 target vm1.heap[0]
explore {
  t1 = intro: read view[0] expect "precious"
  t2 = kernel: reclaim vm1.heap[0]
}
expect always coherent m
expect sometimes m counters retries 1
expect sometimes m counters retries 0
expect never violation
