spec "MADV_COLLAPSE collapses an extent without VM_HUGEPAGE; khugepaged would not"
tags kernel, thp, khugepaged

process vm1
vm1: mmap anon big pages 512 huge
vm1: madvise big nohugepage
vm1: write big[3] "three"
vm1: madvise big hugepage
vm1: madvise big nohugepage
# VM_NOHUGEPAGE: neither collapses
vm1: madvise big collapse expect EINVAL
kernel: khugepaged vm1.big[0]
expect vm1.big[3] pte present rw dirty
# 2 MiB aligned, without VM_HUGEPAGE
vm1: mmap anon plain pages 512 at 0x7f0000400000
vm1: write plain[0] "x"
# plain has no VM_HUGEPAGE: khugepaged leaves it, MADV_COLLAPSE collapses it
kernel: khugepaged vm1.plain[0]
expect vm1.plain[0] pte present rw dirty
vm1: madvise plain collapse
expect vm1.plain[0] pte present rw huge
vm1: read plain[0] expect "x"
