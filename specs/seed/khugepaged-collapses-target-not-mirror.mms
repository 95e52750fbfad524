spec "khugepaged leaves the mirror VMA alone (VM_SPECIAL); its collapse of the target zaps the mirror, which refaults a THP subpage"
tags seed, thp, khugepaged

process vm1
process intro
vm1: mmap anon big pages 512 huge
vm1: madvise big nohugepage
vm1: write big[0] "zero"
vm1: write big[1] "one"
vm1: madvise big hugepage
intro: open mirror m of vm1
intro: mmap m view pages 512 target vm1.big[0] at 0x7f0000400000
intro: read view[1] expect "one"
# a 2 MiB-aligned extent wholly inside the mirror VMA, but PFNMAP: not eligible
kernel: khugepaged intro.view[0]
expect intro.view[1] pte present r special maps vm1.big[1]
expect m counters invalidations 0
# the target's collapse: CLEAR over the extent, the callback zaps the mirror PTE
kernel: khugepaged vm1.big[0]
expect vm1.big[1] pte present rw huge
expect intro.view[1] pte none
expect m counters invalidations 1, zaps 1
intro: read view[1] expect "one"
expect intro.view[1] pte present r special maps vm1.big[1]
expect coherent m
