spec "check=none, found by mmspec fuzz at try 32 (11 lines): a mirror read racing MADV_PAGEOUT of its shmem target inserts a stale pfn"
tags seed, fuzz
# `mmspec fuzz --mirror check=none` (seed 1) found this scenario at try 32, a generated
# scenario of 30 lines shrunk to 11; the same scenario with the default options breaks nothing.
process p2
process p3
p2: open mirror m6 of p3 with check=none
p3: mmap anon r10 pages 3 shared
p2: mmap m6 v11 pages 2 target p3.r10[1]
explore {
  t1 = p2: read v11[0]
  t2 = p3: madvise r10[1] pageout
}
expect sometimes violation stale-mirror
expect sometimes coherent m6
