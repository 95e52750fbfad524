spec "fork of the target write-protects its pages (PROTECTION_PAGE zaps the mirror); a mirror write breaks COW in the target"
tags seed, fork

process vm1
process intro
vm1: mmap anon heap pages 1
vm1: write heap[0] "before"
intro: open mirror m of vm1
intro: mmap m view pages 1 target vm1.heap[0] rw
intro: write view[0] "v1"
expect intro.view[0] pte present rw special
# copy_page_range write-protects vm1's PTEs: the notifier zaps the writable mirror PTE
vm1: fork child
expect intro.view[0] pte none
expect m counters invalidations 1, zaps 1
# a read maps the page now shared by vm1 and child, read-only
intro: read view[0] expect "v1"
expect intro.view[0] pte present r special maps child.heap[0]
# a write goes through pfn_mkwrite with a write request: hmm_range_fault faults vm1's
# page writable, which is a COW break in vm1 (wp_page_copy, CLEAR) — the callback runs,
# the sequence moves, hmm_range_fault returns -EBUSY and the fault starts over
intro: write view[0] "v2"
expect m counters retries 1
expect intro.view[0] pte present rw special maps vm1.heap[0]
vm1: read heap[0] expect "v2"
child: read heap[0] expect "v1"
expect coherent m
