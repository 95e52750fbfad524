spec "A mirror fault whose target page needs a frame when none is left: the OOM killer takes the biggest process and the mirror fault completes; when the target itself is killed, the mirror gets SIGBUS"
tags seed, oom, pressure

# hmm_range_fault faults the target through handle_mm_fault: the allocation direct-
# reclaims, then OOM-kills (__alloc_pages_may_oom) and retries, so no VM_FAULT_OOM reaches
# hmm. The kill happens while the mirror fault holds the target's mmap_lock: the reaper
# runs now, the victim's exit when it next runs (after the statement).
memory 4 frames
swap 1 slots
process vm1
process big
process intro
big: mmap anon heap pages 4
big: write heap[0..4] "big"
# the only slot holds big.heap[3]: nothing is reclaimable any more
kernel: reclaim big.heap[3]
vm1: mmap anon w pages 6
vm1: write w[0] "a"
intro: open mirror m of vm1
intro: mmap m view pages 6 target vm1.w[0] rw
intro: write view[1] "b"
expect trace {
  ...
  fault intro view[1] write: mirror: vm_ops->fault
  m: fault view[1] begin write seq=1
  fault vm1 w[1] write: do_anonymous_page
  oom big
  ...
  fault vm1 w[1] write: do_anonymous_page
  alloc pfn 1 anon
  ...
  write intro view[1] = "b"
  exit big
  ...
}
vm1: read w[1] expect "b"

# vm1 fills memory and swap again, and holds the most: the next mirror fault that needs
# a frame kills the target.
vm1: write w[2..5] "a"

# The reaper's UNMAP invalidation collides with the fault (retry); the walk then meets
# the reaped mm (check_stable_address_space: VM_FAULT_SIGBUS), hmm_range_fault -EFAULT.
intro: write view[5] "c" expect SIGBUS
expect trace {
  ...
  oom vm1
  ...
  m: snapshot w[5] -EFAULT
  m: sigbus view[5] (hmm_range_fault -EFAULT)
  ...
  m: release (target mm gone) zapped 0, later faults get SIGBUS
  ...
}
vm1: read w[0] expect SIGKILL
expect m counters sigbus 1
