spec "check=inverted: with an invalidation in flight the range is invalid, so the literal pseudocode inserts — a pfn being removed"
tags seed, race, variants

# hmm2019 + inverted, as in the thread. The fault checks while reclaim's callback has
# run (range invalid) but before reclaim clears vm1's PTE: the inverted check inserts
# the page reclaim is taking away.
process vm1
process intro
vm1: mmap anon heap pages 1
vm1: write heap[0] "v"
intro: open mirror m of vm1 with api=hmm2019, check=inverted
intro: mmap m view pages 1 target vm1.heap[0]
race {
  t1 = intro: read view[0]
  t2 = kernel: reclaim vm1.heap[0]
} schedule t1@snapshot, t2@start, t1, t2
expect violation stale-mirror
