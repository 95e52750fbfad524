spec "mprotect rw after fork leaves shared pages read-only, so a write still copies"
tags kernel, mprotect, fork, cow

process p
p: mmap anon heap pages 2 rw
p: write heap 1
p: fork c
p: mprotect heap r
p: mprotect heap rw
# The pages are no longer exclusive (shared with c): change_protection must not make
# them writable, or p would write into c's memory.
expect p.heap pte present r
p: write heap[0] 5
expect trace {
  ...
  fault p heap[0] write: wp_page_copy
  ...
}
c: read heap[0] expect 1
