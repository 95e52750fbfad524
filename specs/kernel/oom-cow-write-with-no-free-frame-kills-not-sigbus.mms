spec "A COW write that finds no free frame: direct reclaim cannot free the page being copied, the OOM killer kills the biggest process, the copy is made — never SIGBUS"
tags kernel, oom, pressure, fork, swap

# wp_page_copy() allocates the copy with GFP_HIGHUSER_MOVABLE: direct reclaim, then the
# OOM killer (__alloc_pages_may_oom), then the allocation succeeds. The page being copied
# is held by the fault (do_wp_page's folio_get): direct reclaim unmaps it to the free
# swap slot but cannot free it (extra reference), so it stays in the swap cache and the
# retried fault finds it there. (Before, reclaim freed it, handed its frame back as the
# copy, the fault saw its PTE changed and started over, forever: SIGBUS.)
memory 5 frames
swap 1 slots
process a
process big
a: mmap anon heap pages 2
a: write heap[0..2] "a"
big: mmap anon heap pages 3
big: write heap[0..3] "big"
a: fork b
b: write heap[0] "b"
expect trace {
  ...
  fault b heap[0] write: wp_page_copy
  ...
  pte a heap[0]: pfn 1 r dirty -> swap 0
  ...
  pte b heap[0]: pfn 1 r dirty -> swap 0
  ...
  reclaim pfn 1: extra references (refcount 3): kept
  ...
  oom big
  ...
  exit big
  ...
  fault b heap[0] write: do_swap_page
  pte b heap[0]: swap 0 -> pfn 1 r young
  fault b heap[0] write: wp_page_copy
  alloc pfn 3 anon (cow)
  copy pfn 1 -> pfn 3 (cow)
  ...
  write b heap[0] = "b"
}
b: read heap[1] expect "a"
a: read heap[0..2] expect "a"
expect page b.heap[0] refcount 1 mapcount 1
