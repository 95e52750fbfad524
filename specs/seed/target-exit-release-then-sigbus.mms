spec "The target exits: release zaps the whole mirror, the device is dead, later mirror faults get SIGBUS"
tags seed, exit

process vm1
process intro
vm1: mmap anon heap pages 2
vm1: write heap[0..2] "x"
intro: open mirror m of vm1
intro: mmap m view pages 2 target vm1.heap[0]
intro: read view[0..2] expect "x"
vm1: exit
expect intro.view[0..2] pte none
intro: read view[0] expect SIGBUS
expect m counters faults 2, sigbus 1
intro: close m
intro: munmap view
