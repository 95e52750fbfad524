spec "after the child unmaps its copy, the parent's write reuses the page"
tags kernel, fork, cow, munmap

process p
p: mmap anon heap pages 2 rw
p: write heap 7
p: fork c
c: munmap heap[1]
expect page p.heap[1] refcount 1 mapcount 1
expect page p.heap[0] refcount 2 mapcount 2
p: write heap[1] 8
p: write heap[0] 9
expect trace {
  ...
  fault p heap[1] write: wp_page_reuse
  ...
  fault p heap[0] write: wp_page_copy
  ...
}
c: read heap[0] expect 7
c: read heap[1] expect SIGSEGV
