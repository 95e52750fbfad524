spec "mkwrite=none, found by mmspec fuzz at try 20 (7 lines): a write upgrades the mirror PTE of a read-only target page (the zero page) in place"
tags seed, fuzz
# `mmspec fuzz --mirror mkwrite=none` (seed 1) found this scenario at try 20, a generated
# scenario of 8 lines shrunk to 7; the same scenario with the default options breaks nothing.
process p1
p1: mmap anon r2 pages 1
p1: open mirror m3 of p1 with mkwrite=none
p1: mmap m3 v4 pages 1 target p1.r2[0] rw
p1: read v4[0]
p1: write v4 "v1"
expect violation mirror-perm
