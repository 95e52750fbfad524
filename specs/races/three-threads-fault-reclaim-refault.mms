spec "Three threads on one page: a mirror fault, reclaim, and the target's own read that swaps the page back in; the default mirror is coherent in every interleaving"
tags races, reclaim

process vm1
process intro
vm1: mmap anon heap pages 2
vm1: write heap[0] "precious"
intro: open mirror m of vm1
intro: mmap m view pages 2 target vm1.heap[0]
explore {
  t1 = intro: read view[0] expect "precious"
  t2 = kernel: reclaim vm1.heap[0]
  t3 = vm1: read heap[0] expect "precious"
}
expect always coherent m
expect always vm1.heap[0] holds "precious"
expect sometimes vm1.heap[0] pte swap
expect sometimes vm1.heap[0] pte present
expect never violation
