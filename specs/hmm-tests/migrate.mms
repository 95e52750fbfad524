spec "hmm-tests migrate: migrate private anonymous memory to device-private memory"
tags hmm-tests

# Kernel: hmm-tests.c TEST_F(hmm, migrate), variant hmm_device_private.
# Checks: HMM_DMIRROR_MIGRATE_TO_DEV moves every page (cpages = npages) and the device
# holds the data.
# mmspec's `dmirror D migrate` returns no data; the kernel ioctl returns the device page table's content (dmirror_do_read after migration). The spec checks it with a READ of the same range right after: every page then has a device PT entry, so that READ faults nothing (faults 0).
# Scaled: HMM_BUFFER_SIZE (1024 pages) -> 8 pages; page i holds the value i (the kernel fills ptr[i] = i per int).

process p
p: open dmirror d
p: mmap anon buf pages 8 rw
p: write buf[0] 0
p: write buf[1] 1
p: write buf[2] 2
p: write buf[3] 3
p: write buf[4] 4
p: write buf[5] 5
p: write buf[6] 6
p: write buf[7] 7
p: dmirror d migrate buf
expect d counters cpages 8
p: dmirror d read buf expect 0, 1, 2, 3, 4, 5, 6, 7
expect d counters faults 0, cpages 8
