spec "lock=on: a callback arriving after the check waits on the update lock, then zaps what the fault inserted"
tags seed, race

process vm1
process intro
vm1: mmap anon heap pages 1
vm1: write heap[0] "v"
intro: open mirror m of vm1
intro: mmap m view pages 1 target vm1.heap[0]
race {
  t1 = intro: read view[0] expect "v"
  t2 = kernel: reclaim vm1.heap[0]
} schedule t1@check, t2@isolate, t1, t2
expect intro.view[0] pte none
expect m counters faults 1, retries 0, zaps 1
expect coherent m
