spec "Writes through a writable mirror reach the target's page, and target writes are seen by the mirror"
tags seed

process vm1
process intro
vm1: mmap anon heap pages 2
vm1: write heap[0] "a"
intro: open mirror m of vm1
intro: mmap m view pages 2 target vm1.heap[0] rw
# a write access faults with a write request: the target PTE is writable, so the
# mirror PTE is inserted writable (explicit protection)
intro: write view[0] "b"
expect intro.view[0] pte present rw special maps vm1.heap[0]
vm1: read heap[0] expect "b"
vm1: write heap[0] "c"
intro: read view[0] expect "c"
# a read first inserts read-only; the write then goes through pfn_mkwrite, which runs
# the fault path again with a write request
vm1: write heap[1] "d"
intro: read view[1] expect "d"
expect intro.view[1] pte present r special
intro: write view[1] "e"
expect intro.view[1] pte present rw special maps vm1.heap[1]
vm1: read heap[1] expect "e"
expect m counters faults 3, retries 0
expect coherent m
