spec "hmm-tests migrate_multiple: migrate to the device and fault back, several times"
tags hmm-tests

# Kernel: hmm-tests.c TEST_F(hmm, migrate_multiple), variant hmm_device_private.
# Checks: NTIMES times: a fresh buffer migrates to the device (cpages = npages), the device
# holds the data, CPU reads fault every page back with its data.
# Scaled: NTIMES 10 -> 3. (The coherent variant migrates back with MIGRATE_TO_SYS instead.)
# mmspec's `dmirror D migrate` returns no data; the kernel ioctl returns the device page table's content (dmirror_do_read after migration). The spec checks it with a READ of the same range right after: every page then has a device PT entry, so that READ faults nothing (faults 0).
# Scaled: HMM_BUFFER_SIZE (1024 pages) -> 8 pages; page i holds the value i (the kernel fills ptr[i] = i per int).

process p
p: open dmirror d

# iteration c = 0
p: mmap anon m0 pages 8 rw
p: write m0[0] 0
p: write m0[1] 1
p: write m0[2] 2
p: write m0[3] 3
p: write m0[4] 4
p: write m0[5] 5
p: write m0[6] 6
p: write m0[7] 7
p: dmirror d migrate m0
expect d counters cpages 8
p: dmirror d read m0 expect 0, 1, 2, 3, 4, 5, 6, 7
expect d counters faults 0, cpages 8
# device-private: CPU faults migrate the pages back
p: read m0[0] expect 0
p: read m0[1] expect 1
p: read m0[2] expect 2
p: read m0[3] expect 3
p: read m0[4] expect 4
p: read m0[5] expect 5
p: read m0[6] expect 6
p: read m0[7] expect 7
p: munmap m0

# iteration c = 1
p: mmap anon m1 pages 8 rw
p: write m1[0] 0
p: write m1[1] 1
p: write m1[2] 2
p: write m1[3] 3
p: write m1[4] 4
p: write m1[5] 5
p: write m1[6] 6
p: write m1[7] 7
p: dmirror d migrate m1
expect d counters cpages 8
p: dmirror d read m1 expect 0, 1, 2, 3, 4, 5, 6, 7
expect d counters faults 0, cpages 8
# device-private: CPU faults migrate the pages back
p: read m1[0] expect 0
p: read m1[1] expect 1
p: read m1[2] expect 2
p: read m1[3] expect 3
p: read m1[4] expect 4
p: read m1[5] expect 5
p: read m1[6] expect 6
p: read m1[7] expect 7
p: munmap m1

# iteration c = 2
p: mmap anon m2 pages 8 rw
p: write m2[0] 0
p: write m2[1] 1
p: write m2[2] 2
p: write m2[3] 3
p: write m2[4] 4
p: write m2[5] 5
p: write m2[6] 6
p: write m2[7] 7
p: dmirror d migrate m2
expect d counters cpages 8
p: dmirror d read m2 expect 0, 1, 2, 3, 4, 5, 6, 7
expect d counters faults 0, cpages 8
# device-private: CPU faults migrate the pages back
p: read m2[0] expect 0
p: read m2[1] expect 1
p: read m2[2] expect 2
p: read m2[3] expect 3
p: read m2[4] expect 4
p: read m2[5] expect 5
p: read m2[6] expect 6
p: read m2[7] expect 7
p: munmap m2

