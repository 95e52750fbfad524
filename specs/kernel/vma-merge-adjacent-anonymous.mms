spec "adjacent anonymous mappings with the same flags merge into one VMA; different protections do not"
tags kernel, vma, mmap

process p
p: mmap anon a pages 2 rw at 0x7f0000010000
p: mmap anon b pages 2 rw at 0x7f0000012000
p: mmap anon c pages 2 r at 0x7f0000014000
p: write a 1
p: write b 2
# Only a and b merge (vma_merge: same flags, anon pgoff contiguous, one anon_vma or none).
# Writing b after the merge uses the merged VMA's anon_vma.
p: mprotect c rw
# c now matches: mprotect merges it into the VMA before it.
p: write c 3
p: read a[0] expect 1
p: read c[1] expect 3
