spec "A mirror read maps the target's frame with a special read-only PTE; counts unchanged"
tags seed

# The seed design: intro mmaps the mirror device over vm1's heap; a read of the view
# faults into the driver, which snapshots vm1's page table through hmm_range_fault and
# inserts vm1's pfn (vmf_insert_pfn_prot: special, no refcount, no mapcount, no rmap).

process vm1
process intro
vm1: mmap anon heap pages 4
vm1: write heap[0] "secret"
intro: open mirror m of vm1
intro: mmap m view pages 4 target vm1.heap[0]
intro: read view[0] expect "secret"
expect intro.view[0] pte present r special maps vm1.heap[0]
# no refcount fix-up is needed: the target page's counts are those of vm1's mapping alone
expect page vm1.heap[0] refcount 1 mapcount 1
expect m counters faults 1, retries 0, sigbus 0
expect coherent m
# a second read is a TLB hit: no fault
intro: read view[0] expect "secret"
expect m counters faults 1
