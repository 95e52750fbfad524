spec "fork=copy, found by mmspec fuzz at try 37 (12 lines): after reclaim moves the target page, the child's copied mirror PTE is stale"
tags seed, fuzz
# `mmspec fuzz --mirror fork=copy` (seed 1) found this scenario at try 37, a generated
# scenario of 28 lines shrunk to 12; the same scenario with the default options breaks nothing.
process p1
process p2
p1: mmap anon r3 pages 520
p2: open mirror m4 of p1 with fork=copy
p2: mmap m4 v5 pages 3 target p1.r3[440] rw
race {
  t1 = p2: read v5[2]
  t2 = kernel: reclaim p1.r3[442]
} schedule t1, t2
p2: fork c10
c10: write v5[2] "v12" expect SIGBUS
expect violation stale-mirror
