spec "Three threads on one page: a mirror fault, reclaim and migration; the default mirror is coherent in every interleaving"
tags races

process vm1
process intro
vm1: mmap anon heap pages 2
vm1: write heap[0] "precious"
intro: open mirror m of vm1
intro: mmap m view pages 2 target vm1.heap[0]
explore {
  t1 = intro: read view[0] expect "precious"
  t2 = kernel: reclaim vm1.heap[0]
  t3 = kernel: migrate vm1.heap[0]
}
expect always coherent m
expect always vm1.heap[0] holds "precious"
expect never violation
