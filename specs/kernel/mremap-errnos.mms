spec "mremap: EINVAL when old and new ranges overlap; EFAULT when the region is no longer one VMA"
tags kernel, mremap

process p
p: mmap anon heap pages 4 rw
p: write heap 1
p: mremap heap to 0x7f0000002000 expect EINVAL
expect p.heap pte present rw
# mprotect splits the region into three VMAs: v6.6–v6.10 refuse to move several VMAs.
p: mprotect heap[1] r
p: mmap anon other pages 1 rw at 0x7f0000100000
p: write other[0] "o"
p: mremap heap to 0x7f0000100000 expect EFAULT
# Linux unmaps the new range before it checks the old one: other is gone anyway.
expect p.other pte none
p: read other[0] expect SIGSEGV
p: read heap[0] expect 1
