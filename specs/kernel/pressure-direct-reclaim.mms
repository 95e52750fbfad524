spec "Memory pressure: with 8 frames, the ninth anonymous fault reclaims directly (swap) before it allocates"
tags kernel, reclaim, swap, pressure

memory 8 frames
swap 64 slots
process vm1
vm1: mmap anon heap pages 10
vm1: write heap[0..8] "early"
expect vm1.heap[0..8] pte present rw
# no free frame: __alloc_pages_slowpath reclaims (SWAP_CLUSTER_MAX pages wanted), then allocates
vm1: write heap[8] "late"
expect vm1.heap[0..8] pte swap
expect vm1.heap[8] pte present rw dirty
expect trace {
  ...
  fault vm1 heap[8] write: do_anonymous_page
  reclaim pfn 1: isolated
  ...
  free pfn 8
  alloc pfn 1 anon
  pte vm1 heap[8]: none -> pfn 1 rw dirty young
  write vm1 heap[8] = "late"
}
vm1: write heap[9] "last"
# everything comes back
vm1: read heap[0..8] expect "early"
vm1: read heap[8] expect "late"
vm1: read heap[9] expect "last"
