spec "Reclaim between a swap-in fault and the store it retries: the store finds a swap entry again, faults again, and lands"
tags races

process vm1
vm1: mmap anon heap pages 1
vm1: write heap[0] "old"
kernel: reclaim vm1.heap[0]
race {
  t1 = vm1: write heap[0] "new"
  t2 = kernel: reclaim vm1.heap[0]
} schedule t1@fault, t2, t1
expect vm1.heap[0] holds "new"
expect vm1.heap[0] pte present rw
expect page vm1.heap[0] refcount 1 mapcount 1
