spec "mkwrite=none, found by mmspec fuzz at try 29 (7 lines): a write upgrades the mirror PTE of a read-only target page (the zero page) in place"
tags seed, fuzz
# `mmspec fuzz --mirror mkwrite=none` (seed 1) found this scenario at try 29, a generated
# scenario of 25 lines shrunk to 7; the same scenario with the default options breaks nothing.
process p1
p1: mmap anon r3 pages 2 rw
p1: open mirror m4 of p1 with mkwrite=none
p1: mmap m4 v5 pages 1 target p1.r3[1] rw
p1: read v5[0]
p1: write v5[0] "v5"
expect violation mirror-perm
