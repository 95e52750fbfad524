spec "madvise mergeable/hugepage on part of a THP: the VMA split first splits the huge PMD (its own CLEAR), so fork shares the pages with exact counts"
tags kernel, thp, madvise, fuzz
# Found by `mmspec fuzz --seed 13`: the VMA was split inside a PMD-mapped THP and fork then
# counted the huge PMD once per VMA (a refcount violation). Linux: madvise_update_vma() →
# vma_modify_flags() → __split_vma() → vma_adjust_trans_huge() splits the PMD at the new edge.

process vm1
vm1: mmap anon big pages 1024 huge
vm1: write big[363] "x"                     # one THP over big[0..512]
vm1: madvise big[205..207] mergeable        # two edges inside that THP
vm1: madvise big[300..302] nohugepage
vm1: fork child
expect page vm1.big[363] refcount 2 mapcount 2
child: read big[363] expect "x"
