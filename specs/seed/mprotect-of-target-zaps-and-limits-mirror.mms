spec "mprotect of the target (PROTECTION_VMA) zaps the mirror; afterwards the mirror may read but not write"
tags seed, mprotect

process vm1
process intro
vm1: mmap anon heap pages 2
vm1: write heap[0..2] "data"
intro: open mirror m of vm1
intro: mmap m view pages 2 target vm1.heap[0] rw
intro: write view[0] "through"
vm1: mprotect heap r
expect intro.view[0] pte none
expect m counters invalidations 1, zaps 1
intro: read view[0] expect "through"
expect intro.view[0] pte present r special
intro: write view[0] "again" expect SIGBUS
vm1: mprotect heap rw
expect intro.view[0] pte none
intro: write view[0] "again"
vm1: read heap[0] expect "again"
expect coherent m
