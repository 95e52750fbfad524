spec "Swap full: a page reclaim cannot give a slot stays mapped; with memory and swap exhausted a fault runs the OOM killer, which kills the only process"
tags kernel, reclaim, swap, oom

memory 4 frames
swap 2 slots
process vm1
vm1: mmap anon heap pages 6
vm1: write heap[0..4] "x"
kernel: reclaim vm1.heap[0..4]
expect vm1.heap[0..2] pte swap
expect vm1.heap[2..4] pte present rw dirty
expect trace {
  ...
  reclaim pfn 3: swap full: activated
  reclaim pfn 4: swap full: activated
}
# 2 frames free: two more pages fit
vm1: write heap[4] "y"
vm1: write heap[5] "y"
# every slot used, every frame used: direct reclaim frees nothing, VM_FAULT_OOM:
# pagefault_out_of_memory() picks vm1 (the only process) and kills it
vm1: read heap[0] expect SIGKILL
expect vm1.heap[0..6] pte none
expect trace {
  ...
  oom vm1
  ...
  signal vm1 heap[0] SIGKILL: killed by the OOM killer
}
