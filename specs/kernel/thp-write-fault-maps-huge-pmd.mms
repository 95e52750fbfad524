spec "A write fault in a MADV_HUGEPAGE region maps a THP at the PMD; a read maps the huge zero page"
tags kernel, thp

process vm1
vm1: mmap anon big pages 512 huge
vm1: mmap anon lazy pages 512 huge
# write: do_huge_pmd_anonymous_page allocates 512 aligned frames and maps them at the PMD
vm1: write big[5] "x"
expect vm1.big[0] pte present rw dirty huge
expect vm1.big[511] pte present rw huge
expect page vm1.big[5] refcount 1 mapcount 1
expect vm1.big[5] holds "x"
vm1: read big[6] expect 0
# read: the huge zero page, read-only
vm1: read lazy[3] expect 0
expect vm1.lazy[0] pte present r huge zero
# a write to the huge zero page splits it into 4 KiB zero PTEs and copies one page
vm1: write lazy[3] "y"
expect vm1.lazy[3] pte present rw dirty
expect vm1.lazy[2] pte present r zero
