spec "shmem: a page brought back by MADV_WILLNEED, or migrated after swap-in, is still written to swap by the next reclaim"
tags kernel, reclaim, shmem, swap, madvise, migrate

process a
a: mmap anon sh pages 2 shared
a: write sh[0..2] "kept"
kernel: reclaim a.sh[0..2]
expect a.sh[0..2] holds "kept"

# shmem_swapin_range(): read into the page cache without mapping, dirty
a: madvise sh[0] willneed
expect a.sh[0] pte none
kernel: reclaim 2
expect trace {
  ...
  swap_out pfn 1 -> slot 0
  ...
}
a: read sh[0] expect "kept"

# a read fault swaps sh[1] in; migration carries PG_dirty to the new frame
# (folio_migrate_flags), so the next reclaim still writes it out
a: read sh[1] expect "kept"
kernel: migrate a.sh[1]
kernel: reclaim a.sh[1]
expect a.sh[1] pte none
expect a.sh[1] holds "kept"
a: read sh[1] expect "kept"
