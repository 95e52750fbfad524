spec "A file of 1,000,000,000 pages: its contents are computed when read, its page cache holds the pages touched"
tags kernel, file, limits

# Page i of a file holds "NAME:i" (spec-language.md §3); mmspec computes it when the page is
# read into the page cache (filemap_fault) instead of storing a billion values.
process vm1
file big pages 1000000000
vm1: mmap file tail big offset 999999990 pages 10
vm1: read tail[0] expect "big:999999990"
vm1: read tail[9] expect "big:999999999"
vm1: mmap file head big pages 4 rw
vm1: write head[1] "mine"
vm1: read head[0..4]
expect vm1.head[1] holds "mine"
expect vm1.head[2] holds "big:2"
