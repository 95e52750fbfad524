spec "KSM merges two equal pages of two processes into one read-only KSM page; a later write copies it"
tags kernel, ksm

process vm1
process vm2
vm1: mmap anon buf pages 2
vm2: mmap anon buf pages 2
vm1: write buf[0] "same"
vm2: write buf[0] "same"
vm1: madvise buf mergeable
vm2: madvise buf mergeable
kernel: ksm vm1.buf[0] and vm2.buf[0]
# one page, read-only in both, counted twice
expect vm2.buf[0] pte present r maps vm1.buf[0]
expect vm1.buf[0] pte present r
expect page vm1.buf[0] refcount 2 mapcount 2
expect vm1.buf[0] holds "same"
expect vm2.buf[0] holds "same"
# a write never reuses a KSM page: wp_page_copy, CLEAR on the writer
vm2: write buf[0] "mine"
expect vm2.buf[0] pte present rw dirty
expect page vm1.buf[0] refcount 1 mapcount 1
vm1: read buf[0] expect "same"
vm1: write buf[0] "also copied"
expect vm1.buf[0] holds "also copied"
vm2: read buf[0] expect "mine"
