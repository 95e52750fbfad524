spec "munmap of the target range zaps the mirror (UNMAP); a later mirror access gets SIGBUS"
tags seed

process vm1
process intro
vm1: mmap anon heap pages 2
vm1: write heap[0] "x"
intro: open mirror m of vm1
intro: mmap m view pages 2 target vm1.heap[0]
intro: read view[0] expect "x"
vm1: munmap heap
expect intro.view[0] pte none
expect m counters invalidations 1, zaps 1
# no VMA at the target address: hmm_range_fault returns -EFAULT, the driver SIGBUS
intro: read view[0] expect SIGBUS
expect m counters sigbus 1
expect coherent m
