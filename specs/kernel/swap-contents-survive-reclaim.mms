spec "Contents survive reclaim and swap-in; a swapped-in page has refcount 1 and mapcount 1"
tags kernel, reclaim, swap

process vm1
vm1: mmap anon heap pages 3
vm1: write heap[0] "zero"
vm1: write heap[1] 11
vm1: write heap[2] "two"
kernel: reclaim vm1.heap[0..3]
expect vm1.heap[0..3] pte swap
# the values are in the swap slots now, readable without faulting
expect vm1.heap[0] holds "zero"
expect vm1.heap[1] holds 11
expect vm1.heap[2] holds "two"
# do_swap_page: read faults map read-only (v6.6-v6.10), the slot is freed
vm1: read heap[0] expect "zero"
vm1: read heap[1] expect 11
vm1: read heap[2] expect "two"
expect vm1.heap[0..3] pte present r
expect page vm1.heap[0] refcount 1 mapcount 1
expect page vm1.heap[2] refcount 1 mapcount 1
# the page was exclusive (the swap entry said so): a write reuses it in place
vm1: write heap[1] 12
expect vm1.heap[1] pte present rw dirty
expect page vm1.heap[1] refcount 1 mapcount 1
vm1: read heap[1] expect 12
