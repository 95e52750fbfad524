spec "A view of a view of the same device: invalidating the target re-enters the driver's callback from its own zap, which deadlocks on the update lock it holds"
tags mirror, self, deadlock

# v1 mirrors heap[0]; v2 mirrors v1[0], in the same mm. Reclaim of heap[0] calls v1's
# callback, which takes m's update lock and zaps v1 with zap_vma_ptes(). That zap is an
# invalidation of intro's mm over v1[0] (zap_page_range_single: MMU_NOTIFY_CLEAR), which
# v2's interval notifier covers: the same driver's callback runs again, in the same task,
# and mutex_lock() on the lock that task holds never returns (Linux mutexes are not
# recursive). The reclaim hangs — holding the update lock, the page isolated.
process intro
intro: open mirror m of intro
intro: mmap anon heap pages 1
intro: write heap[0] "a"
intro: mmap m v1 pages 1 target intro.heap[0]
intro: mmap m v2 pages 1 target intro.v1[0]
intro: read v1[0] expect "a"
kernel: reclaim intro.heap[0]
expect violation deadlock
expect trace {
  ...
  notify start intro heap[0] CLEAR
  notify start intro v1[0] CLEAR
  VIOLATION deadlock: kernel: reclaim intro.heap[0] waits for m update lock, which this task already holds (AA deadlock), and nothing can release it: the task hangs
}
# The reclaim never cleared anything: heap[0] and the mirror of it stay as they were.
expect intro.heap[0] pte present rw
expect intro.v1[0] pte present r special maps intro.heap[0]
expect intro.heap[0] holds "a"

# Whatever needs the update lock now hangs behind it: munmap of v1 calls the callback.
intro: munmap v1
expect violation deadlock

# A write through a view is enough: the target page is the zero page, so hmm_range_fault
# breaks COW in the target (wp_page_copy: a CLEAR over heap[0]), and the same re-entry
# follows — this time inside the mirror fault of the writing process, which hangs.
process p2
p2: open mirror m2 of p2
p2: mmap anon heap pages 1
p2: read heap[0] expect 0
p2: mmap m2 w1 pages 1 target p2.heap[0] rw
p2: mmap m2 w2 pages 1 target p2.w1[0]
p2: write w1[0] "b"
expect violation deadlock
