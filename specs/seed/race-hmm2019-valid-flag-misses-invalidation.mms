spec "api=hmm2019: an invalidation that starts and ends between snapshot and check leaves the range valid: stale insert"
tags seed, race, variants

# v5.2's hmm_range_valid() says "no invalidation in progress now"; the reclaim ran
# entirely after the snapshot, invalidate_range_end re-validated every range, and the
# check passes with the freed pfn. The interval API's sequence count catches it.
process vm1
process intro
vm1: mmap anon heap pages 1
vm1: write heap[0] "v"
intro: open mirror m of vm1 with api=hmm2019
intro: mmap m view pages 1 target vm1.heap[0]
race {
  t1 = intro: read view[0]
  t2 = kernel: reclaim vm1.heap[0]
} schedule t1@snapshot, t2, t1
expect violation stale-mirror
expect m counters faults 1, retries 0
