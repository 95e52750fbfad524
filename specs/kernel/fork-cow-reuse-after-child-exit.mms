spec "after the child exits, the parent's write reuses the page it shared (no copy, no notifier)"
tags kernel, fork, cow, exit

process p
p: mmap anon heap pages 1 rw
p: write heap[0] "x"
p: fork c
expect page p.heap[0] refcount 2 mapcount 2
c: exit
expect page p.heap[0] refcount 1 mapcount 1
expect p.heap[0] pte present r
# wp_can_reuse_anon_folio: the page is not exclusive any more, but ours is the only
# reference left, so do_wp_page reuses it.
p: write heap[0] "y"
expect trace {
  ...
  fault p heap[0] write: wp_page_reuse
  pte p heap[0]: pfn 1 r dirty young -> pfn 1 rw dirty young
  write p heap[0] = "y"
}
