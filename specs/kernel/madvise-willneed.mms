spec "MADV_WILLNEED reads swapped pages into the swap cache and file pages into the page cache, mapping nothing"
tags kernel, madvise, swap

file f pages 2
process vm1
vm1: mmap anon heap pages 2
vm1: mmap file fm f pages 2
vm1: write heap[0..2] "s"
kernel: reclaim vm1.heap[0..2]
vm1: madvise heap willneed
expect trace {
  ...
  madvise vm1 heap[0..2] willneed
  alloc pfn 1 swapin
  swap_in slot 0 -> pfn 1
  alloc pfn 2 swapin
  swap_in slot 1 -> pfn 2
}
# still swap entries; the fault finds the page in the swap cache and does no I/O
expect vm1.heap[0..2] pte swap
vm1: read heap[0] expect "s"
expect page vm1.heap[0] refcount 1 mapcount 1
vm1: madvise fm willneed
expect vm1.fm pte none
vm1: read fm[1] expect "f:1"
