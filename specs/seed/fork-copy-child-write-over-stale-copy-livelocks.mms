spec "fork=copy: the child's write over its stale copy of a mirror PTE never makes progress (livelock)"
tags seed, fork, fuzz
# Found by `mmspec fuzz --seed 11`: it ended in the simulator's loop guard, reported as a plain
# SIGBUS. Linux retries this fault for ever: pfn_mkwrite runs the mirror fault, the target's COW
# break gives it a new pfn, and insert_pfn() refuses an mkwrite over a PTE that maps another pfn
# (mm/memory.c) — so the PTE never changes and the write faults again.

process vm1
process intro
vm1: mmap anon heap pages 7
intro: open mirror m of vm1 with fork=copy
intro: mmap m view pages 2 target vm1.heap[4]
intro: read view[0..2]                  # the zero page, mirrored read-only
intro: mprotect view[0..2] rw
intro: fork child                       # copy_page_range copies the special PTEs
child: write view[1] 889 expect SIGBUS  # mmspec stops after 64 rounds: livelock, then SIGBUS
expect violation livelock
