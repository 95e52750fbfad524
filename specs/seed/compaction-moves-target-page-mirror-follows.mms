spec "Compaction migrates the target page the mirror maps: the notifier zaps the mirror, the refault maps the new frame"
tags seed, compaction

# kcompactd scans pfns and reaches mappings through rmap only: the mirror's special PTE
# is invisible to it and holds no reference, so the page's refcount is what migration
# expects and the page moves. The CLEAR of vm1's PTE calls the mirror's callback.
process vm1
process intro
vm1: mmap anon heap pages 3
vm1: write heap[0] "a"
vm1: write heap[1] "b"
vm1: write heap[2] "c"
intro: open mirror m of vm1
intro: mmap m view pages 3 target vm1.heap[0]
intro: read view[2] expect "c"
# a hole at pfn 1, the mirrored page at pfn 3
vm1: munmap heap[0]
expect page vm1.heap[2] refcount 1 mapcount 1
kernel: compact
expect intro.view[2] pte none
expect m counters zaps 1
intro: read view[2] expect "c"
expect intro.view[2] pte present r special maps vm1.heap[2]
expect coherent m
