spec "A mirror view of another view of the same device: a PFNMAP view gets SIGBUS (hmm_range_fault -EFAULT), a MIXEDMAP view shows only the zero page, dmirror gets EFAULT"
tags mirror, self

# intro mirrors itself. v2's target is v1, another view: a VM_PFNMAP|VM_IO VMA, which
# hmm_range_fault refuses (hmm_vma_walk_test: -EFAULT when a fault is asked for), so the
# mirror fault answers VM_FAULT_SIGBUS (kernel-model.md §6, §7).
process intro
intro: open mirror m of intro
intro: mmap anon heap pages 2
intro: write heap[0] "a"
intro: mmap m v1 pages 1 target intro.heap[0] rw
intro: mmap m v2 pages 1 target intro.v1[0] rw
intro: read v1[0] expect "a"
intro: read v2[0] expect SIGBUS
intro: write v2[0] "b" expect SIGBUS
expect m counters faults 1, sigbus 2
expect intro.v2[0] pte none
expect coherent m

# The kernel's HMM test driver on the same view: the same -EFAULT, as the ioctl's error.
intro: open dmirror d
dmirror d read v1[0] expect EFAULT

# MIXEDMAP is walked (v5.16+): v1's PTE none is faulted through v1's own mirror fault,
# then v1's special PTE is refused (vm_normal_page NULL, not the zero page) — unless it
# is the zero page, which hmm_range_fault treats as a page.
intro: open mirror mx of intro with vma=mixedmap
intro: mmap mx x1 pages 2 target intro.heap[0]
intro: mmap mx x2 pages 2 target intro.x1[0]
intro: read x2[0] expect SIGBUS
intro: read x2[1] expect 0
expect intro.x2[1] pte present r special zero
expect intro.x1[1] pte present r special zero
