spec "a write through a writable mirror view of a shared file mapping reaches the file, also after writeback cleaned the page"
tags seed, reclaim, writeback, file

# A shared file mapping is write-notified: the target PTE is read-only until written,
# so the mirror's write request faults the target writable (wp_page_shared marks the
# page dirty), and the driver marks it dirty at its writable insert too. Writeback's
# page_mkclean (PROTECTION_PAGE) zaps the mirror PTE, so a later mirror write refaults
# and dirties the page again.
file data pages 1
process vm1
process intro
vm1: mmap file f data pages 1 rw shared
vm1: read f[0] expect "data:0"
intro: open mirror m of vm1
intro: mmap m view pages 1 target vm1.f[0] rw
intro: write view[0] "first"
kernel: writeback data
expect intro.view[0] pte none
intro: write view[0] "second"
kernel: reclaim vm1.f[0]
expect trace {
  ...
  writeback pfn 1 data:0
  reclaim pfn 1: dropped from the page cache
  free pfn 1
}
vm1: read f[0] expect "second"
expect coherent m
