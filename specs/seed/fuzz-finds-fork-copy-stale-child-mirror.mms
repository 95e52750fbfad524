spec "fork=copy, found by mmspec fuzz at try 5 (13 lines): the child's copied mirror PTE goes stale when the target page migrates"
tags seed, fuzz
# `mmspec fuzz --mirror fork=copy` (seed 1) found this scenario at try 5, a generated
# scenario of 25 lines shrunk to 13; the same scenario with the default options breaks nothing.
process p1
process p2
p1: mmap anon r4 pages 5
p2: open mirror m5 of p1 with fork=copy
p2: mmap m5 v6 pages 1 target p1.r4[4]
p1: write r4[4] "v2"
p2: fork c8
explore {
  t1 = c8: read v6[0]
  t2 = kernel: migrate p1.r4[4]
}
expect sometimes violation stale-mirror
expect sometimes coherent m5
