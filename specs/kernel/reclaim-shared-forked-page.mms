spec "Reclaim of a page shared by fork: rmap unmaps both processes, each gets a CLEAR and a (non-exclusive) swap entry"
tags kernel, reclaim, swap, fork

process p
p: mmap anon heap pages 1
p: write heap[0] "shared"
p: fork c
expect page p.heap[0] refcount 2 mapcount 2
kernel: reclaim p.heap[0]
expect trace {
  ...
  notify start p heap[0] CLEAR
  pte p heap[0]: pfn 1 r dirty young -> swap 0
  notify end p heap[0] CLEAR
  notify start c heap[0] CLEAR
  pte c heap[0]: pfn 1 r dirty -> swap 0
  notify end c heap[0] CLEAR
  swap_out pfn 1 -> slot 0
  reclaim pfn 1: swapped out
  free pfn 1
}
expect p.heap[0] pte swap
expect c.heap[0] pte swap
# the child swaps in: the page stays in the swap cache, the parent's entry still names the slot
c: read heap[0] expect "shared"
expect c.heap[0] pte present r
expect page c.heap[0] refcount 2 mapcount 1
# the parent finds it in the swap cache: one page, two mappings, the cache dropped
p: read heap[0] expect "shared"
expect p.heap[0] pte present r maps c.heap[0]
expect page p.heap[0] refcount 2 mapcount 2
# not exclusive: a write copies
p: write heap[0] "mine"
c: read heap[0] expect "shared"
expect page c.heap[0] refcount 1 mapcount 1
