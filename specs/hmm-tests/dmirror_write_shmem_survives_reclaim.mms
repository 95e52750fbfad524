spec "dmirror: a device write to a clean shmem page marks it dirty, so reclaim writes it to swap and the CPU reads it back"
tags hmm-tests, reclaim, shmem

# Not a kernel test: mmspec's own check of HMM_DMIRROR_WRITE on shared anonymous memory.
# A CPU read maps the shmem page writable and clean, so the device's write fault finds a
# writable PTE and faults nothing: no dirty bit anywhere. The device write marks the page
# dirty (folio_mark_dirty). test_hmm's dmirror_do_write() does memcpy_to_page() without
# it, so on a real kernel this write can be lost at reclaim (a test-driver quirk);
# mmspec models the intended behaviour (docs/dmirror.md §6).

process vm1
vm1: mmap anon w pages 2 rw shared
vm1: read w[0] expect 0
vm1: open dmirror d
dmirror d write w[0] = "x"
expect d counters faults 1, cpages 1
expect vm1.w[0] pte present rw
kernel: reclaim vm1.w[0]
expect trace {
  ...
  swap_out pfn 1 -> slot 0
  reclaim pfn 1: swapped out
  free pfn 1
}
vm1: read w[0] expect "x"

# a device read faults in a clean zeroed page and stores a WRITE entry (the shmem PTE
# is writable); the device write then uses that entry without any fault, and still
# dirties the page
dmirror d read w[1] expect 0
expect d counters faults 1, cpages 1
dmirror d write w[1] = "y"
expect d counters faults 0, cpages 1
kernel: reclaim vm1.w[1]
expect vm1.w[1] pte none
vm1: read w[1] expect "y"
dmirror d read w expect "x", "y"
