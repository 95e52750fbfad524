spec "MADV_FREE: clean pages become lazyfree and reclaim drops them without swap; a write before reclaim cancels"
tags kernel, madvise, reclaim

process vm1
vm1: mmap anon heap pages 3
vm1: write heap[0..3] "old"
vm1: madvise heap free
expect trace {
  ...
  madvise vm1 heap[0..3] free
  notify start vm1 heap[0..3] CLEAR
  pte vm1 heap[0]: pfn 1 rw dirty young -> pfn 1 rw
  pte vm1 heap[1]: pfn 2 rw dirty young -> pfn 2 rw
  pte vm1 heap[2]: pfn 3 rw dirty young -> pfn 3 rw
  notify end vm1 heap[0..3] CLEAR
}
# still mapped and readable until reclaim comes
vm1: read heap[0] expect "old"
# heap[1] written again: its PTE is dirty, reclaim must keep it
vm1: write heap[1] "kept"
kernel: reclaim vm1.heap[0..3]
expect trace {
  ...
  pte vm1 heap[0]: pfn 1 rw young -> none
  notify end vm1 heap[0] CLEAR
  reclaim pfn 1: lazyfree: discarded without swap
  free pfn 1
  notify start vm1 heap[1] CLEAR
  reclaim pfn 2: lazyfree page was written again: swap-backed, stays mapped
  notify end vm1 heap[1] CLEAR
  reclaim pfn 2: still mapped: activated
  ...
}
expect vm1.heap[0] pte none
expect vm1.heap[2] pte none
expect vm1.heap[1] pte present rw dirty
# a dropped page reads as a fresh zero page
vm1: read heap[0] expect 0
vm1: read heap[1] expect "kept"
