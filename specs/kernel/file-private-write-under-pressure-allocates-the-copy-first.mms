spec "A private write to an unmapped file page under memory pressure allocates the anonymous copy first, then looks the file page up: the copy never takes the frame of the page it copies"
tags kernel, file, pressure, reclaim

# do_cow_fault() preallocates the copy (folio_prealloc) before __do_fault() looks the
# page-cache page up. Direct reclaim for the copy drops the cached, unmapped page of
# m[0] itself (pfn 1, which the copy then gets); the lookup reads it in again. (mmspec looked the page up first:
# reclaim dropped it and the copy reused its frame — "copy pfn 1 -> pfn 1".)
memory 4 frames
swap 1 slots
file f pages 2
process a
a: mmap anon h pages 3
a: write h[0..3] 1
# the only slot holds h[0]: anonymous pages stay in memory
kernel: reclaim a.h[0]
a: mmap file m f pages 2 rw
a: read m[0] expect "f:0"
a: madvise m[0] dontneed
expect a.m[0] pte none
a: write h[0] 2
a: write m[0] "x"
expect trace {
  ...
  fault a m[0] write: do_cow_fault
  ...
  reclaim pfn 1: dropped from the page cache
  free pfn 1
  ...
  alloc pfn 1 anon (cow of file page)
  alloc pfn 2 file f
  copy pfn 2 -> pfn 1 (cow)
  pte a m[0]: none -> pfn 1 rw dirty young
  write a m[0] = "x"
}
a: read m[1] expect "f:1"
