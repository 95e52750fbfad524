spec "The threads of a block run concurrently: a thread may name what another thread of the block removes, whichever is declared first"
tags races, lang

# Issue 14: the static check followed declaration order, so t1's exit made t2's read of
# vm1 an error ("process vm1 has exited"), while the same block with the threads swapped ran.
process vm1
process vm2
vm1: mmap anon heap pages 2
vm1: write heap[0] "x"
vm2: mmap anon buf pages 1
race {
  t1 = vm2: munmap buf
  t2 = vm2: write buf[0] "y"
} schedule t2, t1
expect vm2.buf[0] pte none
race {
  t1 = vm1: exit
  t2 = vm1: read heap[0] expect "x"
} schedule t2, t1
# The same in explore, exit declared first: the madvise works while the mm stands, and gets
# ENOMEM (madvise_walk_vmas(): part of the range is not mapped) once exit_mmap() has removed
# its VMAs. Its result is judged, so the errno does not fail the spec by itself.
process vm3
vm3: mmap anon data pages 1
vm3: write data[0] "d"
explore {
  t1 = vm3: exit
  t2 = vm3: madvise data dontneed
}
expect sometimes t2 ok
expect sometimes t2 ENOMEM
expect never t2 EINVAL
expect always t1 ok
