spec "OOM kill: the reaper unmaps private memory under non-blockable UNMAP invalidations and skips shared mappings; then the victim exits"
tags kernel, oom

file f pages 1
process vm1
process vm2
vm1: mmap anon heap pages 2
vm1: mmap file sh f pages 1 rw shared
vm1: write heap[0..2] "h"
vm1: write sh[0] "s"
vm2: mmap file view f pages 1 shared
vm2: read view[0] expect "s"
kernel: oom vm1
expect trace {
  ...
  oom vm1
  notify start vm1 heap[0..2] UNMAP nonblock
  pte vm1 heap[0]: pfn 1 rw dirty young -> none
  free pfn 1
  pte vm1 heap[1]: pfn 2 rw dirty young -> none
  free pfn 2
  notify end vm1 heap[0..2] UNMAP nonblock
  exit vm1
  ...
}
# the shared file page outlives the victim
vm2: read view[0] expect "s"
expect page vm2.view[0] refcount 2 mapcount 1
