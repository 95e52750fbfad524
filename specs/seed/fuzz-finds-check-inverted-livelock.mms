spec "check=inverted, found by mmspec fuzz at try 2 (6 lines): the first mirror read livelocks and gets SIGBUS"
tags seed, fuzz
# `mmspec fuzz --mirror check=inverted` (seed 1) found this scenario at try 2, a generated
# scenario of 12 lines shrunk to 6; the same scenario with the default options breaks nothing.
process p1
p1: mmap anon r3 pages 6
p1: open mirror m4 of p1 with check=inverted
p1: mmap m4 v5 pages 1 target p1.r3[5] r
p1: read v5[0] expect SIGBUS
expect violation livelock
