spec "vma=anon, found by mmspec fuzz at try 3 (11 lines): a mirror read then reclaim of the target page corrupts the counts and leaves the mirror stale"
tags seed, fuzz
# `mmspec fuzz --mirror vma=anon` (seed 1) found this scenario at try 3, a generated
# scenario of 39 lines shrunk to 11; the same scenario with the default options breaks nothing.
process p2
process p3
p2: open mirror m5 of p3 with vma=anon
p3: mmap anon r7 pages 520 huge
p3: write r7[316] "v3"
p2: mmap m5 v12 pages 2 target p3.r7[436]
race {
  t1 = p2: read v12[0]
  t2 = kernel: reclaim p3.r7[436]
} schedule t1, t2
expect violation refcount
