spec "kernel: reclaim or migrate of a mirror view page acts on the frame the view shows: rmap finds the target mapping, the notifier clears the view"
tags seed, reclaim, migrate
process vm1
process intro
vm1: mmap anon heap pages 2
vm1: write heap[0..2] "a"
intro: open mirror m of vm1
intro: mmap m view pages 2 target vm1.heap[0]
intro: read view[0..2] expect "a"
kernel: reclaim intro.view[0]
expect vm1.heap[0] pte swap
expect intro.view[0] pte none
kernel: migrate intro.view[1]
expect intro.view[1] pte none
expect vm1.heap[1] pte present
intro: read view[0..2] expect "a"
expect coherent m
