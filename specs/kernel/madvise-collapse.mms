spec "MADV_COLLAPSE collapses a populated 2 MiB extent into a PMD-mapped THP; VM_NOHUGEPAGE and partial extents are EINVAL"
tags kernel, madvise, thp

process vm1
# the first mapping sits at 0x7f0000000000, 2 MiB aligned; no VM_HUGEPAGE: 4 KiB faults
vm1: mmap anon heap pages 512
vm1: write heap[0..512] "d"
expect vm1.heap[0] pte present rw
vm1: madvise heap nohugepage
vm1: madvise heap collapse expect EINVAL
vm1: madvise heap hugepage
vm1: madvise heap collapse
expect vm1.heap[0] pte present huge
vm1: read heap[511] expect "d"
vm1: madvise heap[0..4] collapse expect EINVAL
