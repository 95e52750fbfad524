spec "!ATTR in expect pte present: after munmap of part of a THP the rest is PTE-mapped (!huge); a read-only clean page is !rw !dirty; the zero page is !dirty"
tags lang, pte, thp

process vm1
vm1: mmap anon big pages 512 huge
vm1: write big[0] "head"
expect vm1.big[3] pte present rw huge !special !zero
# __split_huge_pmd(): the PMD becomes 512 PTEs, each of the same folio.
vm1: munmap big[510..512]
expect vm1.big[3] pte present rw !huge
vm1: mmap anon ro pages 1
# A read fault of an untouched anonymous page maps the shared zero page, read-only and clean
# (do_anonymous_page(): pte_mkspecial(pfn_pte(my_zero_pfn(…)))).
vm1: read ro[0] expect 0
expect vm1.ro[0] pte present !rw !dirty zero special
vm1: write ro[0] "x"
expect vm1.ro[0] pte present rw dirty !zero !special
