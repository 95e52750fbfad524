spec "Reclaim of an anonymous page: CLEAR on the page, the PTE becomes an exclusive swap entry holding the slot"
tags kernel, reclaim, swap

process vm1
vm1: mmap anon heap pages 2
vm1: write heap[0] "a"
# heap[1] maps the zero page: not on any LRU, reclaim skips it silently
vm1: read heap[1]
kernel: reclaim vm1.heap[0..2]
expect trace {
  ...
  reclaim pfn 1: isolated
  notify start vm1 heap[0] CLEAR
  pte vm1 heap[0]: pfn 1 rw dirty young -> swap 0 exclusive
  notify end vm1 heap[0] CLEAR
  swap_out pfn 1 -> slot 0
  reclaim pfn 1: swapped out
  free pfn 1
}
expect vm1.heap[0] pte swap
expect vm1.heap[1] pte present r zero
expect vm1.heap[0] holds "a"
