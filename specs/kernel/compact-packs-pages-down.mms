spec "Compaction migrates movable pages from the top of memory into the lowest free frames; contents survive"
tags kernel, compaction

memory 16 frames
process vm1
vm1: mmap anon heap pages 6
vm1: write heap[0..6] "v"
vm1: write heap[5] "top"
# frees pfns 1, 2 and 4: holes below used frames
vm1: munmap heap[0..2]
vm1: munmap heap[3]
kernel: compact
expect vm1.heap[5] holds "top"
vm1: read heap[2] expect "v"
vm1: read heap[4] expect "v"
vm1: read heap[5] expect "top"
