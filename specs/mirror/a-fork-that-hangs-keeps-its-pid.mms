spec "A fork that hangs in the kernel has taken its pid: the next process gets the next one"
tags mirror, fork, fuzz
# Found by `mmspec fuzz --seed 13`: copy_process() allocates the child's pid (alloc_pid) before
# copying the mm; here the copy hangs (the parent's write-protect invalidation re-enters the
# self-mirroring driver's callback on its held update lock), and the next `process` statement
# was given the same pid — an internal error.

process vm1
vm1: mmap anon heap pages 1
vm1: open mirror m of vm1 with mkwrite=none
vm1: mmap m v1 pages 1 target vm1.heap[0]
vm1: write heap[0] "x"
vm1: mmap m v2 pages 1 target vm1.v1[0]
vm1: fork child
expect violation deadlock
process other                       # pid 3: pid 2 belongs to the child that never ran
other: mmap anon a pages 1
other: write a[0] 1
