spec "MADV_PAGEOUT reclaims the pages now, references ignored; MADV_COLD ages without an invalidation; pages other processes map are left alone"
tags kernel, madvise, reclaim

process vm1
vm1: mmap anon heap pages 3
vm1: write heap[0..3] "v"
# young and just written: reclaim_pages() ignores references
vm1: madvise heap[0] pageout
expect trace {
  ...
  madvise vm1 heap[0] pageout
  reclaim pfn 1: isolated
  notify start vm1 heap[0] CLEAR
  pte vm1 heap[0]: pfn 1 rw dirty young -> swap 0 exclusive
  notify end vm1 heap[0] CLEAR
  swap_out pfn 1 -> slot 0
  reclaim pfn 1: swapped out
  free pfn 1
}
expect vm1.heap[0] holds "v"
vm1: fork child
# shared with the child (mapcount 2): neither advice touches the page
vm1: madvise heap[1] pageout
vm1: madvise heap[1] cold
expect trace {
  ...
  madvise vm1 heap[1] pageout
  madvise vm1 heap[1] cold
}
expect vm1.heap[1] pte present r
child: exit
# mapped once again: cold makes the PTE old, with no notifier and no unmapping
vm1: madvise heap[1..3] cold
expect trace {
  ...
  madvise vm1 heap[1..3] cold
  pte vm1 heap[1]: pfn 2 r dirty young -> pfn 2 r dirty
  pte vm1 heap[2]: pfn 3 r dirty young -> pfn 3 r dirty
}
vm1: read heap[1] expect "v"
