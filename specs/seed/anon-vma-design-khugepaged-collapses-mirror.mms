spec "vma=anon: khugepaged treats the anonymous mirror VMA as its own, collapses it into a THP of copies and frees the target's page, which the target still maps"
tags seed, vma-anon, khugepaged

# The design the thread argued against: the mirror is an ordinary anonymous VMA holding the
# target's frames with no refcount/mapcount fix-up. Core MM cannot tell those PTEs from its
# own: khugepaged (on a MADV_HUGEPAGE mirror) copies the mirrored page into a THP, drops the
# "reference" the mirror PTE never took and frees the target's frame.
process vm1
process intro
vm1: mmap anon heap pages 512
vm1: write heap[0] "target"
intro: open mirror m of vm1 with vma=anon
intro: mmap m view pages 512 target vm1.heap[0]
intro: read view[0] expect "target"
expect violation refcount             # the mirror's anon PTE without a mapcount of its own
intro: madvise view hugepage
kernel: khugepaged intro.view
expect violation use-after-free       # the target's page freed while the target maps it
expect intro.view[0] pte present huge
expect vm1.heap[0] pte present
