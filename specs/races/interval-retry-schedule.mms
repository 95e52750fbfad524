spec "The interval API catches the same schedule: read_retry sees the collision and the fault retries"
tags races

process vm1
process intro
vm1: mmap anon heap pages 2
vm1: write heap[0] "precious"
intro: open mirror m of vm1
intro: mmap m view pages 2 target vm1.heap[0]
race {
  t1 = intro: read view[0] expect "precious"
  t2 = kernel: reclaim vm1.heap[0]
} schedule t1@snapshot, t2, t1
expect coherent m
expect m counters faults 1, retries 1
expect intro.view[0] pte present r special maps vm1.heap[0]
