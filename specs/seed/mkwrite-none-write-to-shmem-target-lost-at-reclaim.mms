spec "mkwrite=none: a write through a mirror PTE that core MM made writable in place is lost when the target's clean shmem page is reclaimed"
tags seed, reclaim, shmem

# Without vm_ops->pfn_mkwrite, wp_pfn_shared() upgrades the read-only special PTE in
# place: no driver code runs, so nobody marks the target page dirty. The shmem page was
# mapped writable and clean by a read fault (no mirror-perm), the write through the
# special PTE sets no dirty bit reclaim can see, and reclaim drops the page: the write
# is lost. The correct driver (mkwrite=fault) dirties the page at its writable insert.
process vm1
process intro
vm1: mmap anon w pages 1 shared
vm1: read w[0] expect 0
intro: open mirror m of vm1 with mkwrite=none
intro: mmap m view pages 1 target vm1.w[0] rw
intro: read view[0] expect 0
intro: write view[0] "lost"
expect intro.view[0] pte present rw special dirty
kernel: reclaim vm1.w[0]
expect trace {
  ...
  reclaim pfn 1: dropped from the page cache
  free pfn 1
}
vm1: read w[0] expect 0
