spec "MADV_DONTNEED: one CLEAR over the VMA part, anonymous pages refault as zero, private file pages from the page cache"
tags kernel, madvise

file lib pages 2
process vm1
vm1: mmap anon heap pages 3
vm1: mmap file map lib pages 2 rw
vm1: write heap[0..2] "gone"
vm1: write map[0] "private copy"
vm1: read map[1] expect "lib:1"
vm1: madvise heap dontneed
expect trace {
  ...
  madvise vm1 heap[0..3] dontneed
  notify start vm1 heap[0..3] CLEAR
  pte vm1 heap[0]: pfn 1 rw dirty young -> none
  free pfn 1
  pte vm1 heap[1]: pfn 2 rw dirty young -> none
  free pfn 2
  notify end vm1 heap[0..3] CLEAR
}
expect vm1.heap pte none
vm1: read heap[0] expect 0
expect vm1.heap[0] pte present r zero
vm1: madvise map dontneed
# the private COW copy is discarded: the file's content shows again
vm1: read map[0] expect "lib:0"
vm1: read map[1] expect "lib:1"
