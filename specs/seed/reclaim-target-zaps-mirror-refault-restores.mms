spec "Reclaim of a mirrored target page: the notifier clears the mirror PTE, and a mirror refault brings the data back"
tags seed, reclaim

# The thread's main claim: the mirror holds no reference, so reclaim is free to take the
# target page; try_to_unmap_one fires CLEAR on vm1's mm, the callback zaps the mirror PTE
# before vm1's PTE becomes a swap entry. The next mirror access faults, and
# hmm_range_fault swaps the page back in on vm1's side.
process vm1
process intro
vm1: mmap anon heap pages 2
vm1: write heap[0] "precious"
intro: open mirror m of vm1
intro: mmap m view pages 2 target vm1.heap[0]
intro: read view[0] expect "precious"
kernel: reclaim vm1.heap[0]
expect vm1.heap[0] pte swap
expect intro.view[0] pte none
expect intro.view[0] holds "precious"
expect m counters invalidations 1, zaps 1
intro: read view[0] expect "precious"
expect intro.view[0] pte present r special maps vm1.heap[0]
expect m counters faults 2, retries 0
expect coherent m
