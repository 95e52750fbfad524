spec "A process mirroring itself: its target region unmapped, the view gets SIGBUS and unmaps cleanly; a view placed where it mirrors itself deadlocks its own munmap"
tags mirror, self, deadlock

# The view mirrors intro's own heap. Once heap is unmapped the interval notifier zaps the
# view (UNMAP on intro's mm), and later faults find no VMA at the target: hmm_range_fault
# -EFAULT, SIGBUS. Unmapping the view afterwards fires an UNMAP over the view, which no
# interval covers.
process intro
intro: open mirror m of intro
intro: mmap anon heap pages 2
intro: write heap[0] "a"
intro: mmap m view pages 2 target intro.heap[0]
intro: read view[0] expect "a"
intro: munmap heap
expect intro.view[0] pte none
intro: read view[0] expect SIGBUS
intro: munmap view
expect m counters faults 1, invalidations 1, zaps 1, sigbus 1

# A second region is unmapped before its view is made: mmap places the view at the
# region's old address, so the view mirrors its own pages. A fault there asks
# hmm_range_fault about a VM_PFNMAP VMA: SIGBUS. munmap of the view starts an UNMAP over
# the view, which the view's own interval covers: the callback takes the update lock and
# zaps the view with zap_vma_ptes(), whose CLEAR over the view calls that same callback
# again — mutex_lock() on the lock the task holds: an AA deadlock, and munmap hangs.
intro: mmap anon spot pages 1 at 0x7f0000100000
intro: munmap spot
intro: mmap m self pages 1 target intro.spot[0] at 0x7f0000100000
intro: read self[0] expect SIGBUS
intro: munmap self
expect violation deadlock
expect trace {
  ...
  munmap intro self[0]
  notify start intro self[0] UNMAP
  notify start intro self[0] CLEAR
  VIOLATION deadlock: intro: munmap self waits for m update lock, which this task already holds (AA deadlock), and nothing can release it: the task hangs
}
