spec "First touch: a read maps the zero page, a write gets a fresh frame"
tags kernel, fault, tour
memory 16 frames

process vm1
vm1: mmap anon heap pages 4              # rw, private, placed at 0x7f0000000000

vm1: read heap[0] expect 0               # do_anonymous_page maps the shared zero page
expect vm1.heap[0] pte present r special zero

vm1: write heap[1] "hello"               # a fresh zeroed frame, writable and dirty
expect vm1.heap[1] pte present rw dirty young
expect page vm1.heap[1] refcount 1 mapcount 1

vm1: write heap[0] "world"               # the zero page is copied: wp_page_copy, CLEAR notifier
expect vm1.heap[0] pte present rw dirty
expect trace {
  ...
  fault vm1 heap[0] write: wp_page_copy: zero page
  alloc pfn 2 anon (cow)
  notify start vm1 heap[0] CLEAR
  ...
  write vm1 heap[0] = "world"
}

vm1: munmap heap[1]
vm1: read heap[1] expect SIGSEGV         # no VMA any more
expect vm1.heap[0] holds "world"
