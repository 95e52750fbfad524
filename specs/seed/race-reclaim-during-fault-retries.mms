spec "Reclaim between the mirror fault's snapshot and its check: read_retry sees the collision, the fault starts over"
tags seed, race

# The correct design. t1 snapshots pfn 1; reclaim then runs whole (its callback takes
# the update lock — free — bumps the sequence and zaps nothing); t1's check sees the
# sequence moved, retries, and the second snapshot swaps the page back in.
process vm1
process intro
vm1: mmap anon heap pages 1
vm1: write heap[0] "v"
intro: open mirror m of vm1
intro: mmap m view pages 1 target vm1.heap[0]
race {
  t1 = intro: read view[0] expect "v"
  t2 = kernel: reclaim vm1.heap[0]
} schedule t1@snapshot, t2, t1
expect m counters faults 1, retries 1
expect intro.view[0] pte present r special maps vm1.heap[0]
expect coherent m
