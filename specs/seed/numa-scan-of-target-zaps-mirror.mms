spec "NUMA hinting on the target (PROTECTION_VMA) zaps the mirror; the refault's hmm_range_fault takes the hinting fault"
tags seed, numa

process vm1
process intro
vm1: mmap anon heap pages 1
vm1: write heap[0] "n"
intro: open mirror m of vm1
intro: mmap m view pages 1 target vm1.heap[0]
intro: read view[0] expect "n"
# change_prot_numa skips the PFNMAP mirror VMA, and makes vm1's PTE protnone
kernel: numa-scan intro.view[0]
expect intro.view[0] pte present r special
kernel: numa-scan vm1.heap[0]
expect vm1.heap[0] pte numa
expect intro.view[0] pte none
# a protnone PTE is not valid to HMM: REQ_FAULT takes the hinting fault (do_numa_page)
intro: read view[0] expect "n"
expect vm1.heap[0] pte present rw
expect coherent m
