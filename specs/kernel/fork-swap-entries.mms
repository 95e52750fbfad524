spec "fork duplicates swap entries: the slot gains a user and loses its exclusive mark; swap-in maps read-only and COWs"
tags kernel, fork, swap

process p
p: mmap anon heap pages 1 rw
p: write heap[0] "x"
kernel: reclaim p.heap[0]
expect p.heap[0] pte swap
p: fork c
expect trace {
  ...
  fork p -> c (pid 2)
  notify start p heap[0] PROTECTION_PAGE
  pte p heap[0]: swap 0 exclusive -> swap 0
  pte c heap[0]: none -> swap 0
  notify end p heap[0] PROTECTION_PAGE
}
expect c.heap[0] holds "x"
c: read heap[0] expect "x"
expect c.heap[0] pte present r
p: read heap[0] expect "x"
expect p.heap[0] pte present r maps c.heap[0]
expect page p.heap[0] refcount 2 mapcount 2
p: write heap[0] "y"
expect p.heap[0] pte present rw
c: read heap[0] expect "x"
