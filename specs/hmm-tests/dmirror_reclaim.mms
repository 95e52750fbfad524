spec "dmirror: reclaim of mirrored pages erases the device entries; the next read faults them back"
tags hmm-tests, reclaim

# Not a kernel test: mmspec's own check of test_hmm's invalidate callback under reclaim.
# try_to_unmap_one fires CLEAR on the page; dmirror_interval_invalidate erases the entry
# (and the one just past the range: xa_for_each_range is inclusive of its last index).
# The device read afterwards faults the swapped pages back in one round: faults 1.

process p
p: open dmirror d
p: mmap anon buf pages 4 rw
p: write buf[0] 10
p: write buf[1] 11
p: write buf[2] 12
p: write buf[3] 13
p: dmirror d read buf expect 10, 11, 12, 13
expect d counters faults 1, cpages 4
expect coherent d
kernel: reclaim p.buf[1..3]
expect p.buf[1] pte swap
expect p.buf[2] pte swap
expect coherent d
# buf[0] and buf[3] still have their entries, but buf[1] and buf[2] (and buf[3], the page
# past the second CLEAR) were erased: one fault round brings them back
p: dmirror d read buf expect 10, 11, 12, 13
expect d counters faults 1, cpages 4
expect coherent d
# a snapshot does not fault: swap entries report `none`
kernel: reclaim p.buf[0]
# swapped-in pages are mapped read-only by the read fault; buf[3] was never reclaimed
p: dmirror d snapshot buf expect none, read, read, write
