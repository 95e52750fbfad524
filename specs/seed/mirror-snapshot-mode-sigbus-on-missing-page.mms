spec "fault=snapshot: a target page that is not present gives the mirror access SIGBUS"
tags seed

# Without HMM_PFN_REQ_FAULT hmm_range_fault only reports what the CPU maps; a page
# never touched (or swapped out) is not valid, and the driver answers VM_FAULT_SIGBUS.
process vm1
process intro
vm1: mmap anon heap pages 2
vm1: write heap[1] "here"
intro: open mirror m of vm1 with fault=snapshot
intro: mmap m view pages 2 target vm1.heap[0]
intro: read view[0] expect SIGBUS
expect vm1.heap[0] pte none
intro: read view[1] expect "here"
expect m counters faults 1, sigbus 1
