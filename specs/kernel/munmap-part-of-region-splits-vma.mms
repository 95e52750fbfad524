spec "munmap of the middle of a region splits its VMA; only the unmapped page is freed"
tags kernel, munmap, vma

process p
p: mmap anon heap pages 3 rw
p: write heap 1
p: munmap heap[1]
expect trace {
  ...
  munmap p heap[1]
  ...
  notify start p heap[1] UNMAP
  pte p heap[1]: pfn 2 rw dirty young -> none
  free pfn 2
  notify end p heap[1] UNMAP
}
p: read heap[1] expect SIGSEGV
p: read heap[0] expect 1
p: read heap[2] expect 1
