spec "check=none, lock=off and api=hmm2019 behave like the correct driver when nothing runs concurrently"
tags seed, variants

# Each weakness needs an invalidation between the snapshot and the insert (see the race
# specs); run one statement at a time, the three devices fault, get zapped by reclaim
# and refault exactly as the default driver does.
process vm1
process intro
vm1: mmap anon heap pages 1
vm1: write heap[0] "v"
intro: open mirror nocheck of vm1 with check=none
intro: open mirror nolock of vm1 with lock=off
intro: open mirror old of vm1 with api=hmm2019
intro: mmap nocheck a pages 1 target vm1.heap[0]
intro: mmap nolock b pages 1 target vm1.heap[0]
intro: mmap old c pages 1 target vm1.heap[0]
intro: read a[0] expect "v"
intro: read b[0] expect "v"
intro: read c[0] expect "v"
kernel: reclaim vm1.heap[0]
expect intro.a[0] pte none
expect intro.b[0] pte none
expect intro.c[0] pte none
intro: read a[0] expect "v"
intro: read b[0] expect "v"
intro: read c[0] expect "v"
expect nocheck counters faults 2, retries 0, invalidations 1, zaps 1
expect nolock counters faults 2, retries 0, invalidations 1, zaps 1
expect old counters faults 2, retries 0, invalidations 1, zaps 1
expect coherent nocheck
expect coherent nolock
expect coherent old
