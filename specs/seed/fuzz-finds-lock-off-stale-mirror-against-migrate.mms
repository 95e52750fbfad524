spec "lock=off, found by mmspec fuzz at try 5 (12 lines): a mirror read racing the migration of its target page inserts a stale pfn"
tags seed, fuzz
# `mmspec fuzz --mirror lock=off` (seed 1) found this scenario at try 5, a generated
# scenario of 25 lines shrunk to 12; the same scenario with the default options breaks nothing.
process p1
process p2
p1: mmap anon r4 pages 5
p2: open mirror m5 of p1 with lock=off
p2: mmap m5 v6 pages 1 target p1.r4[4]
p1: write r4[4] "v2"
explore {
  t1 = p2: read v6[0]
  t2 = kernel: migrate p1.r4[4]
}
expect sometimes violation stale-mirror
expect sometimes coherent m5
