spec "mprotect over unmapped memory fails with ENOMEM; the VMAs before a hole have already changed"
tags kernel, mprotect

process p
p: mmap anon a pages 4 rw
p: write a 1
p: munmap a[2]
# Starting in a hole: ENOMEM before anything changes.
p: mprotect a[2..4] r expect ENOMEM
expect p.a[3] pte present rw
# A hole after the start: Linux changes a[0..2] before it finds the hole at a[2]
# (do_mprotect_pkey is not atomic), then returns ENOMEM; a[3] is left alone.
p: mprotect a r expect ENOMEM
expect p.a[0] pte present r
expect p.a[1] pte present r
expect p.a[3] pte present rw
p: write a[0] 2 expect SIGSEGV
