spec "mkwrite=none: without pfn_mkwrite, core MM makes a read-only mirror PTE writable in place (mirror-perm)"
tags seed

# wp_pfn_shared() with no vm_ops->pfn_mkwrite simply makes the special PTE writable in a
# shared writable VMA: the mirror can now write a page the target maps read-only.
process vm1
process intro
vm1: mmap anon heap pages 1
vm1: write heap[0] "ro"
vm1: mprotect heap r
intro: open mirror m of vm1 with mkwrite=none
intro: mmap m view pages 1 target vm1.heap[0] rw
intro: read view[0] expect "ro"
intro: write view[0] "written"
expect violation mirror-perm
expect intro.view[0] pte present rw special
vm1: read heap[0] expect "written"
