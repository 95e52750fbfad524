spec "KSM merging the target page zaps the mirror; the mirror reads the KSM page, and a mirror write breaks COW in the target"
tags seed, ksm

process vm1
process vm2
process intro
vm1: mmap anon buf pages 1
vm2: mmap anon buf pages 1
vm1: write buf[0] "same"
vm2: write buf[0] "same"
vm1: madvise buf mergeable
vm2: madvise buf mergeable
intro: open mirror m of vm1
intro: mmap m view pages 1 target vm1.buf[0] rw
intro: read view[0] expect "same"
# the mirror holds no reference, so the page's refcount is mapcount + 0: KSM may merge
kernel: ksm vm1.buf[0] and vm2.buf[0]
expect intro.view[0] pte none
intro: read view[0] expect "same"
expect intro.view[0] pte present r special maps vm2.buf[0]
# a write through the mirror asks hmm_range_fault for a writable page: vm1 breaks COW
# (wp_page_copy, CLEAR), which collides with the fault: one retry
intro: write view[0] "mine"
expect m counters retries 1
expect intro.view[0] pte present rw special maps vm1.buf[0]
vm2: read buf[0] expect "same"
vm1: read buf[0] expect "mine"
expect coherent m
