spec "A mirror write where the target is read-only: SIGBUS (hmm_range_fault -EPERM), never a writable mirror PTE"
tags seed

# vm1 maps its heap read-only. The mirror VMA is writable, but a write access asks
# hmm_range_fault for REQ_WRITE, which answers -EPERM for a VMA without VM_WRITE.
process vm1
process intro
vm1: mmap anon heap pages 1
vm1: write heap[0] "ro"
vm1: mprotect heap r
intro: open mirror m of vm1
intro: mmap m view pages 1 target vm1.heap[0] rw
intro: write view[0] "no" expect SIGBUS
expect intro.view[0] pte none
# a read maps it read-only; the write that follows goes through pfn_mkwrite, which runs
# the fault path with a write request: -EPERM again
intro: read view[0] expect "ro"
intro: write view[0] "no" expect SIGBUS
expect intro.view[0] pte present r special
expect vm1.heap[0] holds "ro"
expect m counters faults 1, sigbus 2
expect coherent m
