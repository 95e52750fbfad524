spec "fork=dontcopy (the default): VM_DONTCOPY keeps the mirror VMA out of the child"
tags seed, fork

process vm1
process intro
vm1: mmap anon heap pages 1
vm1: write heap[0] "x"
intro: open mirror m of vm1
intro: mmap m view pages 1 target vm1.heap[0]
intro: read view[0] expect "x"
intro: fork ichild
ichild: read view[0] expect SIGSEGV
intro: read view[0] expect "x"
expect coherent m
