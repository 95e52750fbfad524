spec "v5.2 hmm_range_valid misses an invalidation that starts and ends between snapshot and check: explore finds the stale mirror"
tags races, hmm2019

# The valid flag means "no invalidation in progress now". Reclaim run entirely between
# the snapshot and the check leaves valid=true, so the stale pfn is inserted.
process vm1
process intro
vm1: mmap anon heap pages 2
vm1: write heap[0] "precious"
intro: open mirror m of vm1 with api=hmm2019
intro: mmap m view pages 2 target vm1.heap[0]
explore {
  t1 = intro: read view[0]
  t2 = kernel: reclaim vm1.heap[0]
}
expect sometimes violation stale-mirror
expect sometimes violation use-after-free
expect sometimes coherent m
