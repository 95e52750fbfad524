spec "LRU aging: a young page gets a second chance on the inactive list, young again it is activated, an old one is reclaimed"
tags kernel, reclaim, lru

process vm1
vm1: mmap anon heap pages 3
vm1: write heap[0] "a"
vm1: write heap[1] "b"
vm1: write heap[2] "c"
# Inactive list, oldest first: a, b, c, all young. folio_check_references: each young
# page is marked referenced and rotated; on its next trip a (old now, referenced) goes.
kernel: reclaim 1
expect vm1.heap[0] pte swap
expect vm1.heap[1..3] pte present rw dirty
# b is touched again: young while marked referenced, it is activated; c is reclaimed
vm1: read heap[1] expect "b"
kernel: reclaim 1
# activation cleared the young bit on the way
expect vm1.heap[1] pte present rw dirty
expect vm1.heap[2] pte swap
expect trace {
  ...
  reclaim pfn 2: referenced again: activated
  ...
  reclaim pfn 3: swapped out
  free pfn 3
}
# b is alone on the active list: shrink_active_list deactivates it; old, only PG_referenced,
# an anonymous page is reclaimed (RECLAIM_CLEAN spares only file pages)
kernel: reclaim 1
expect vm1.heap[0..3] pte swap
expect vm1.heap[0] holds "a"
expect vm1.heap[1] holds "b"
expect vm1.heap[2] holds "c"
