spec "hmm-tests file_read: device reads a shared file mapping"
tags hmm-tests

# Kernel: hmm-tests.c TEST_F(hmm, file_read), variant hmm_device_private.
# Checks: HMM_DMIRROR_READ of a MAP_SHARED PROT_READ file mapping (file written with pwrite
# beforehand) faults the page-cache pages in one round: faults 1, cpages = npages.
# The kernel's O_TMPFILE file becomes an mmspec `file` with the same contents.
# Scaled: HMM_BUFFER_SIZE (1024 pages) -> 8 pages; page i holds the value i (the kernel fills ptr[i] = i per int).

file f pages 8 = 0, 1, 2, 3, 4, 5, 6, 7
process p
p: open dmirror d
p: mmap file buf f pages 8 r shared
p: dmirror d read buf expect 0, 1, 2, 3, 4, 5, 6, 7
expect d counters faults 1, cpages 8
