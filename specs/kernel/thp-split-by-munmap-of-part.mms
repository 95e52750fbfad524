spec "munmap of part of a THP splits its PMD into 4 KiB PTEs first; the rest keeps its frames and contents"
tags kernel, thp

process vm1
vm1: mmap anon big pages 512 huge
vm1: write big[0] "head"
vm1: write big[509] "tail"
expect vm1.big[0] pte present rw huge
vm1: munmap big[510..512]
expect vm1.big[0] pte present rw dirty
expect vm1.big[510] pte none
expect page vm1.big[509] refcount 1 mapcount 1
vm1: read big[0] expect "head"
vm1: read big[509] expect "tail"
