spec "A fault that finds no memory after direct reclaim runs the OOM killer: the process holding the most memory is killed and reaped, and the fault is retried"
tags kernel, oom, pressure
memory 4 frames
swap 1 slots

process big
process p
big: mmap anon heap pages 3
big: write heap[0..3] 1           # three frames
p: mmap anon heap pages 3
p: write heap[0..3] 2             # reclaim finds one slot, then VM_FAULT_OOM: big is the victim
expect trace {
  ...
  oom big
  ...
  exit big
  notify release big
  ...
}
expect p.heap[0..3] holds 2
