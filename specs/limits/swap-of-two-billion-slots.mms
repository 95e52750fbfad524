spec "A swap device of 2^31 - 1 slots: swap_map grows with the slots used, lowest first"
tags kernel, swap, limits

# 2,147,483,647 slots is mmspec's limit (a slot must fit a swap PTE); the device costs what
# it holds. Four frames, eight pages written: reclaim swaps the older pages out.
memory 4 frames
swap 2147483647 slots
process vm1
vm1: mmap anon heap pages 8
vm1: write heap[0..8] 7
kernel: reclaim vm1.heap
expect vm1.heap pte swap
vm1: read heap expect 7
