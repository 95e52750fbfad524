spec "a write through a writable mirror view survives reclaim of the target's shmem page"
tags seed, reclaim, shmem

# A read fault maps shmem writable and clean, so the mirror's write fault finds a
# writable target PTE and faults nothing in the target: no dirty bit anywhere that
# reclaim can see (the mirror PTE is special). The driver marks the page dirty when it
# inserts a writable PTE (folio_mark_dirty), as GUP-for-write users and KVM do.
process vm1
process intro
vm1: mmap anon w pages 2 shared
vm1: read w[0] expect 0
intro: open mirror m of vm1
intro: mmap m view pages 2 target vm1.w[0] rw
intro: write view[0] "through the mirror"
kernel: reclaim vm1.w[0]
expect trace {
  ...
  swap_out pfn 1 -> slot 0
  reclaim pfn 1: swapped out
  ...
}
vm1: read w[0] expect "through the mirror"

# the same through pfn_mkwrite: a mirror read faults a clean zeroed page into the
# target and inserts read-only; the write runs the fault path again with a write
# request and inserts writable, dirtying the page
intro: read view[1] expect 0
expect vm1.w[1] pte present rw
intro: write view[1] "new"
kernel: reclaim vm1.w[1]
expect vm1.w[1] holds "new"
vm1: read w[1] expect "new"
intro: read view[1] expect "new"
expect coherent m
