spec "MADV_HUGEPAGE / NOHUGEPAGE / MERGEABLE change VMA flags, splitting the VMA at the range and merging it back"
tags kernel, madvise, vma

file f pages 1
process vm1
vm1: mmap anon heap pages 4
vm1: madvise heap[1..3] hugepage
expect trace {
  ...
  madvise vm1 heap[1..3] hugepage
  vma_split vm1 at heap[1]
  vma_split vm1 at heap[3]
}
vm1: madvise heap[1..3] nohugepage
vm1: madvise heap[0..4] nohugepage
vm1: madvise heap mergeable
# shared mappings are not KSM-compatible: silently ignored
vm1: mmap file sh f pages 1 shared
vm1: madvise sh mergeable
