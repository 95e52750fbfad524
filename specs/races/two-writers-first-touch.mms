spec "Two threads of one process write the same untouched page: one allocates it, the other's store lands on it; either value may win"
tags races

process vm1
vm1: mmap anon heap pages 2
explore {
  t1 = vm1: write heap[0] "a"
  t2 = vm1: write heap[0] "b"
}
expect sometimes vm1.heap[0] holds "a"
expect sometimes vm1.heap[0] holds "b"
expect always vm1.heap[0] pte present rw
expect always page vm1.heap[0] refcount 1 mapcount 1
expect never violation
