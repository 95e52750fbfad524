spec "expect THREAD RESULT after a race block checks that schedule's results: the mirror read after munmap of its target gets SIGBUS, before it the value"
tags races, lang

process vm1
process intro
vm1: mmap anon heap pages 2
vm1: write heap[0] "old"
vm1: write heap[1] "kept"
intro: open mirror m of vm1
intro: mmap m view pages 2 target vm1.heap[0]
# munmap first: the mirror fault finds a hole in the target (kernel-model.md §7).
race {
  t1 = intro: read view[0]
  t2 = vm1: munmap heap[0]
} schedule t2, t1
expect t1 SIGBUS
expect t2 ok
# The read first: it returns the target page's content.
race {
  t1 = intro: read view[1]
  t2 = kernel: reclaim vm1.heap[1]
} schedule t1, t2
expect t1 reads "kept"
expect t1 ok
expect coherent m
