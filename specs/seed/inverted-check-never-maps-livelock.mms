spec "The seed pseudocode taken literally (insert only if the range is NOT valid) never maps anything: livelock"
tags seed

# From the thread: "if (!hmm_range_valid(&range)) { ... vm_insert_pfn() ... }". Without
# a concurrent invalidation the range is always valid, so every attempt retries until
# max-retries; the fault is abandoned with SIGBUS.
process vm1
process intro
vm1: mmap anon heap pages 1
vm1: write heap[0] "x"
intro: open mirror m of vm1 with check=inverted, max-retries=3
intro: mmap m view pages 1 target vm1.heap[0]
intro: read view[0] expect SIGBUS
expect violation livelock
expect intro.view[0] pte none
expect m counters faults 0, retries 3, sigbus 1      # three restarts; the fourth collision abandons the fault
