spec "A 20,000,000-page (76 GiB) region: mprotect, madvise, reclaim, fork and munmap act on its two populated pages only"
tags kernel, limits

# Whole-range operations walk the page table's populated entries (walk_page_range), as Linux
# does: a huge mapping with two pages touched costs two pages. (The mapping limit is 2^25 pages.)
process vm1
vm1: mmap anon heap pages 20000000
vm1: write heap[0] "first"
vm1: write heap[19999999] "last"
vm1: mprotect heap r
expect vm1.heap[19999999] pte present r dirty
vm1: madvise heap cold
kernel: reclaim vm1.heap
expect vm1.heap[0] pte swap
vm1: madvise heap willneed
vm1: fork child
child: read heap[19999999] expect "last"
vm1: munmap heap[1..19999999]
vm1: read heap[0] expect "first"
vm1: read heap[1] expect SIGSEGV
vm1: munmap heap
child: exit
