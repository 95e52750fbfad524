spec "check=none inserts whatever the snapshot saw: some interleaving of a fault with reclaim leaves a stale mirror"
tags races

process vm1
process intro
vm1: mmap anon heap pages 2
vm1: write heap[0] "precious"
intro: open mirror m of vm1 with check=none
intro: mmap m view pages 2 target vm1.heap[0]
explore {
  t1 = intro: read view[0]
  t2 = kernel: reclaim vm1.heap[0]
}
expect sometimes violation stale-mirror
expect sometimes violation use-after-free
expect sometimes coherent m
