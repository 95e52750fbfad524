spec "The default mirror is coherent in every interleaving of a mirror fault with mprotect"
tags races

process vm1
process intro
vm1: mmap anon heap pages 2
vm1: write heap[0] "precious"
intro: open mirror m of vm1
intro: mmap m view pages 2 target vm1.heap[0]
explore {
  t1 = intro: read view[0]
  t2 = vm1: mprotect heap[0] r
}
expect always coherent m
expect never violation
