spec "mremap moves a mapping's pages to a new address; the region name follows; rmap still finds the pages"
tags kernel, mremap

process p
p: mmap anon heap pages 2 rw
p: write heap[0] "a"
p: write heap[1] "b"
p: mremap heap to 0x7f0000100000
# move_page_tables: UNMAP on the old range around the move; the pages keep their counts.
# The old range is then munmapped (a second UNMAP on it, as do_munmap always fires).
expect trace {
  ...
  mremap p 0x7f0000000000 -> 0x7f0000100000 2 pages
  notify start p [0x7f0000000000, 0x7f0000002000) UNMAP
  pte p 0x7f0000000000: pfn 1 rw dirty young -> none
  pte p heap[0]: none -> pfn 1 rw dirty young
  pte p 0x7f0000001000: pfn 2 rw dirty young -> none
  pte p heap[1]: none -> pfn 2 rw dirty young
  notify end p [0x7f0000000000, 0x7f0000002000) UNMAP
  notify start p [0x7f0000000000, 0x7f0000002000) UNMAP
  notify end p [0x7f0000000000, 0x7f0000002000) UNMAP
}
p: read heap[0] expect "a"
p: read heap[1] expect "b"
p: read 0x7f0000000000 expect SIGSEGV
expect page p.heap[0] refcount 1 mapcount 1
# The moved VMA keeps its pgoff, so a fork's rmap (and COW) works at the new address.
p: fork c
p: write heap[0] "a2"
c: read heap[0] expect "a"
