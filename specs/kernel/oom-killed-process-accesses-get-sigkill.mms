spec "A process the OOM killer killed never returns to user space: its later accesses get SIGKILL, and what is left of its memory can still be inspected"
tags kernel, oom, pressure

# p's third page finds no frame and nothing to reclaim: the allocator's OOM kill takes
# big (the most memory). big has SIGKILL pending and never runs again: an access of it
# "gets SIGKILL" (read/write … expect SIGKILL); any other statement of it fails the spec,
# naming the kill and its line.
memory 4 frames
swap 1 slots
process big
process p
big: mmap anon heap pages 3
big: write heap[0..3] "big"
p: mmap anon heap pages 3
p: write heap[0..3] "p"
expect trace {
  ...
  oom big
  ...
  write p heap[2] = "p"
}
big: read heap[0] expect SIGKILL
big: write heap[1] "late" expect SIGKILL
expect trace {
  signal big heap[0] SIGKILL: killed by the OOM killer
  signal big heap[1] SIGKILL: killed by the OOM killer
}
expect big.heap[0..3] pte none
expect p.heap[0..3] holds "p"

# kernel: oom of p: the same
kernel: oom p
p: read heap[0] expect SIGKILL
expect p.heap[0..3] pte none
