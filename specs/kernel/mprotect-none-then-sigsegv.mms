spec "mprotect PROT_NONE turns PTEs into protnone entries; any access gets SIGSEGV; the content survives"
tags kernel, mprotect

process p
p: mmap anon heap pages 2 rw
p: write heap[0] "x"
p: mprotect heap none
expect trace {
  ...
  mprotect p heap[0..2] ---p
  notify start p heap[0..2] PROTECTION_VMA
  pte p heap[0]: pfn 1 rw dirty young -> pfn 1 protnone r dirty young
  notify end p heap[0..2] PROTECTION_VMA
}
p: read heap[0] expect SIGSEGV
p: write heap[1] "y" expect SIGSEGV
expect p.heap[0] holds "x"
expect page p.heap[0] refcount 1 mapcount 1
p: mprotect heap r
p: read heap[0] expect "x"
expect p.heap[0] pte present r
