spec "dmirror: a device write whose fault finds no frame OOM-kills the biggest process and completes"
tags hmm-tests, oom, pressure

# Not a kernel test: mmspec's own check of HMM_DMIRROR_WRITE under memory pressure. The
# fault hmm_range_fault takes allocates like a CPU fault: direct reclaim, then the OOM
# killer (__alloc_pages_may_oom), then the allocation succeeds; no VM_FAULT_OOM reaches
# hmm, so the ioctl does not fail with EFAULT. The victim's exit runs after the ioctl
# (the kill came while the fault held mmap_lock).
memory 4 frames
swap 1 slots
process vm1
process big
big: mmap anon heap pages 4
big: write heap[0..4] 1
# the only slot holds big.heap[3]: nothing is reclaimable any more
kernel: reclaim big.heap[3]
vm1: mmap anon w pages 2
vm1: write w[0] "a"
vm1: open dmirror d
dmirror d write w[1] = "b"
expect trace {
  ...
  fault vm1 w[1] write: do_anonymous_page
  oom big
  ...
  alloc pfn 1 anon
  pte vm1 w[1]: none -> pfn 1 rw dirty young
  d: write w[1] faults 1 cpages 1
  exit big
  ...
}
vm1: read w[1] expect "b"
