spec "A NUMA scan makes present PTEs protnone under PROTECTION_VMA; the next access takes a hinting fault that restores them"
tags kernel, numa

process vm1
vm1: mmap anon heap pages 4
vm1: write heap[0] "a"
vm1: write heap[1] "b"
vm1: read heap[2]
# heap[2] maps the zero page and heap[3] nothing: both are left alone
kernel: numa-scan vm1.heap
expect vm1.heap[0] pte numa
expect vm1.heap[1] pte numa
expect vm1.heap[2] pte present r zero
expect vm1.heap[3] pte none
expect vm1.heap[0] holds "a"
# a read restores the PTE, still writable (do_numa_page)
vm1: read heap[0] expect "a"
expect vm1.heap[0] pte present rw
# a write to the other hinted page takes the same fault and goes through
vm1: write heap[1] "c"
expect vm1.heap[1] pte present rw dirty
