spec "mprotect of a range whose page table was never populated fires no notifier"
tags kernel, mprotect

# change_pmd_range starts the PROTECTION_VMA invalidation only at a populated PMD.
process p
p: mmap anon heap pages 4 rw
p: mprotect heap r
expect trace {
  ...
  mprotect p heap[0..4] r--p
}
