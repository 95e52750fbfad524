spec "khugepaged collapses a MADV_HUGEPAGE extent of 4 KiB pages into a THP; contents survive, holes read 0"
tags kernel, thp, khugepaged

process vm1
vm1: mmap anon big pages 512 huge
# without VM_HUGEPAGE the first touches take 4 KiB pages
vm1: madvise big nohugepage
vm1: read big[0] expect 0
vm1: write big[1] "one"
vm1: write big[100] "hundred"
vm1: write big[511] "last"
vm1: madvise big hugepage
expect vm1.big[1] pte present rw dirty
kernel: khugepaged vm1.big[0]
expect vm1.big[0] pte present rw dirty huge
expect vm1.big[300] pte present rw huge
expect page vm1.big[1] refcount 1 mapcount 1
vm1: read big[1] expect "one"
vm1: read big[100] expect "hundred"
vm1: read big[511] expect "last"
vm1: read big[0] expect 0
vm1: read big[2] expect 0
