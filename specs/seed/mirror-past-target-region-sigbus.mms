spec "A mirror running past the end of its target region mirrors the guard hole: the target page is in no VMA, the mirror fault gets SIGBUS"
tags seed, sigbus
process vm1
process intro
vm1: mmap anon heap pages 2
vm1: write heap[1] "last"
intro: open mirror m of vm1
intro: mmap m view pages 3 target vm1.heap[1]
intro: read view[0] expect "last"
intro: read view[1] expect SIGBUS
expect m counters sigbus 1
