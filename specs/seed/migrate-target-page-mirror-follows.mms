spec "Migration of a mirrored target page (NUMA, compaction): the mirror is zapped at start and refaults the new frame"
tags seed, migrate

process vm1
process intro
vm1: mmap anon heap pages 1
vm1: write heap[0] "moving"
intro: open mirror m of vm1
intro: mmap m view pages 1 target vm1.heap[0] rw
intro: write view[0] "via mirror"
kernel: migrate vm1.heap[0]
expect intro.view[0] pte none
expect m counters invalidations 1, zaps 1
intro: read view[0] expect "via mirror"
expect intro.view[0] pte present r special maps vm1.heap[0]
expect coherent m
