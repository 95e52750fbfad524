spec "Migration moves an anonymous page shared by fork to a new frame: both mappings follow, contents survive"
tags kernel, migrate

process vm1
vm1: mmap anon heap pages 2
vm1: write heap[0] "kept"
vm1: fork vm2
expect page vm1.heap[0] refcount 2 mapcount 2
# rmap finds both mappings: a CLEAR for each, migration entries, copy, remap
kernel: migrate vm1.heap[0]
expect vm2.heap[0] pte present r maps vm1.heap[0]
expect page vm1.heap[0] refcount 2 mapcount 2
expect vm1.heap[0] holds "kept"
vm2: read heap[0] expect "kept"
# still copy-on-write after the move
vm2: write heap[0] "child"
vm1: read heap[0] expect "kept"
