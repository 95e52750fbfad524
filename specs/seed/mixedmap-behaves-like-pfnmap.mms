spec "vma=mixedmap: on x86 the inserts are special PTEs too, and the callback zaps them (zap_page_range_single)"
tags seed, variants

process vm1
process intro
vm1: mmap anon heap pages 1
vm1: write heap[0] "m"
intro: open mirror m of vm1 with vma=mixedmap
intro: mmap m view pages 1 target vm1.heap[0] rw
intro: read view[0] expect "m"
expect intro.view[0] pte present r special maps vm1.heap[0]
intro: write view[0] "n"
expect intro.view[0] pte present rw special
kernel: reclaim vm1.heap[0]
expect intro.view[0] pte none
intro: read view[0] expect "n"
expect page vm1.heap[0] refcount 1 mapcount 1
expect coherent m
