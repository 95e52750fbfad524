spec "A mirror read of a target page never touched faults it in through hmm_range_fault (zero page)"
tags seed

# HMM_PFN_REQ_FAULT: the target PTE is none, so hmm_range_fault calls handle_mm_fault
# on vm1's mm (a read: the shared zero page) and walks again.
process vm1
process intro
vm1: mmap anon heap pages 2
intro: open mirror m of vm1
intro: mmap m view pages 2 target vm1.heap[0]
intro: read view[0] expect 0
expect vm1.heap[0] pte present r zero
expect intro.view[0] pte present r special zero
expect coherent m
# vm1's first write breaks COW of the zero page (wp_page_copy: CLEAR): the notifier zaps
# the mirror PTE, and the next mirror read maps the new page
vm1: write heap[0] "new"
expect intro.view[0] pte none
intro: read view[0] expect "new"
expect intro.view[0] pte present r special maps vm1.heap[0]
expect m counters faults 2, invalidations 1, zaps 1
expect coherent m
