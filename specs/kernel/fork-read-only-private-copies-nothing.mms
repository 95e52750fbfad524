spec "fork of private mappings that were only read copies no page tables and fires no notifier"
tags kernel, fork

# vma_needs_copy: no anon_vma (never written), not PFNMAP/MIXEDMAP → the child's
# faults will fill its page tables; copy_page_range returns at once.
file f pages 2
process p
p: mmap anon heap pages 2 rw
p: read heap
p: mmap file text f pages 2
p: read text
p: fork c
expect trace {
  ...
  read p text[1] = "f:1"
  fork p -> c (pid 2)
}
expect c.heap pte none
expect c.text pte none
c: read text[1] expect "f:1"
expect c.text[1] pte present r maps p.text[1]
expect page p.text[1] refcount 3 mapcount 2
c: read heap[0] expect 0
expect c.heap[0] pte present r zero
