spec "Thread results as explore outcomes: a mirror read racing with munmap of its target page gets the value or SIGBUS, never SIGSEGV"
tags races, lang

process vm1
process intro
vm1: mmap anon heap pages 2
vm1: write heap[0] "old"
intro: open mirror m of vm1
intro: mmap m view pages 1 target vm1.heap[0]
# The mirror fault finds the target page mapped (it reads "old") or, once munmap has
# removed it, a hole in the target (SIGBUS: kernel-model.md §7). The view's own VMA stays,
# so the read never gets SIGSEGV. t1 has no expect of its own: its result is judged here.
explore {
  t1 = intro: read view[0]
  t2 = vm1: munmap heap[0]
}
expect sometimes t1 reads "old"
expect sometimes t1 SIGBUS
expect never t1 SIGSEGV
expect always t2 ok
expect always coherent m
expect never violation
