spec "shmem: a page swapped in and reclaimed again keeps its content"
tags kernel, reclaim, shmem, swap

# shmem_swapin_folio() frees the slot and marks the page dirty (folio_mark_dirty), so
# the next reclaim writes it to swap again (shmem_writepage) instead of dropping it.
process a
a: mmap anon sh pages 1 shared
a: write sh[0] "new"
kernel: reclaim a.sh[0]
a: read sh[0] expect "new"
# a read fault maps shmem writable and clean (pte … rw young): only the page's own dirty flag keeps it
expect a.sh[0] pte present rw
kernel: reclaim a.sh[0]
expect trace {
  ...
  swap_out pfn 1 -> slot 0
  reclaim pfn 1: swapped out
  free pfn 1
}
a: read sh[0] expect "new"
expect a.sh[0] holds "new"
