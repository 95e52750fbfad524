spec "vma=anon: an ordinary anonymous mirror PTE without a refcount fix-up corrupts counts and frees a page still mapped"
tags seed

# The design the seed argues against: the mirror VMA is anonymous and the driver sets an
# ordinary PTE to the target's frame, taking no reference and no mapcount. Core MM
# then counts that PTE as its own.
process vm1
process intro
vm1: mmap anon heap pages 1
vm1: write heap[0] "x"
intro: open mirror m of vm1 with vma=anon
intro: mmap m view pages 1 target vm1.heap[0]
intro: read view[0] expect "x"
# two PTEs map the frame, its mapcount says one
expect violation refcount
expect intro.view[0] pte present r maps vm1.heap[0]
expect page vm1.heap[0] refcount 1 mapcount 1
# munmap of the mirror drops a mapcount and a reference the mirror never took: the
# frame is freed while vm1 still maps it
intro: munmap view
expect violation use-after-free
vm1: read heap[0]
