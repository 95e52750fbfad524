spec "A NUMA scan of a range with no populated page table fires no notifier"
tags kernel, numa

process vm1
vm1: mmap anon heap pages 4
kernel: numa-scan vm1.heap
# the mmap is the only event: no PROTECTION_VMA start/end for an empty range
expect trace {
  mmap vm1 heap[0..4] 0x7f0000000000-0x7f0000004000 rw-p anon
}
