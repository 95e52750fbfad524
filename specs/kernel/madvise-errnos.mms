spec "madvise errnos: ENOMEM for a hole (after advising the mapped parts), EINVAL for MADV_FREE on a file mapping"
tags kernel, madvise, errno

file f pages 2
process vm1
vm1: mmap anon heap pages 3
vm1: write heap[0..3] "x"
vm1: munmap heap[1]
vm1: madvise heap dontneed expect ENOMEM
# both mapped parts were zapped anyway
expect vm1.heap[0] pte none
expect vm1.heap[2] pte none
vm1: mmap file fm f pages 2 rw
vm1: madvise fm free expect EINVAL
vm1: madvise fm[0] dontneed
