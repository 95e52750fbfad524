spec "check=inverted, found by mmspec fuzz at try 1 (6 lines): the first mirror read livelocks and gets SIGBUS"
tags seed, fuzz
# `mmspec fuzz --mirror check=inverted` (seed 1) found this scenario at try 1, a generated
# scenario of 8 lines shrunk to 6; the same scenario with the default options breaks nothing.
process p1
p1: mmap anon r2 pages 4 rw
p1: open mirror m3 of p1 with check=inverted
p1: mmap m3 v4 pages 1 target p1.r2[3] rw
p1: read v4[0] expect SIGBUS
expect violation livelock
