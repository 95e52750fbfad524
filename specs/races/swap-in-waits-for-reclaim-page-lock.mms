spec "A write faulting on the swap entry of a page that reclaim still holds locked sleeps on the page lock (VM_FAULT_RETRY), then reads the page back from its slot"
tags races

process vm1
vm1: mmap anon heap pages 1
vm1: write heap[0] "old"
race {
  t1 = vm1: write heap[0] "new"
  t2 = kernel: reclaim vm1.heap[0]
} schedule t2@clear
expect vm1.heap[0] holds "new"
expect vm1.heap[0] pte present rw
expect page vm1.heap[0] refcount 1 mapcount 1
