spec "vma=anon, found by mmspec fuzz at try 2 (9 lines): dmirror migrates the anonymous mirror VMA page, freeing the target page under the mirror"
tags seed, fuzz
# `mmspec fuzz --mirror vma=anon` (seed 1) found this scenario at try 2, a generated
# scenario of 21 lines shrunk to 9; the same scenario with the default options breaks nothing.
process p1
p1: mmap anon r3 pages 6
p1: open mirror m4 of p1 with vma=anon
p1: mmap m4 v5 pages 1 target p1.r3[5] r
p1: open dmirror d6
p1: dmirror d6 migrate v5
p1: mmap m4 v8 pages 1 target p1.v5[0]
p1: read v8[0]
expect violation stale-mirror
