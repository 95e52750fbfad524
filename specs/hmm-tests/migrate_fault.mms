spec "hmm-tests migrate_fault: migrate, fault half back to RAM, migrate the mix again"
tags hmm-tests

# Kernel: hmm-tests.c TEST_F(hmm, migrate_fault), variant hmm_device_private.
# Checks: after a migration to the device, CPU reads of the first half fault those pages
# back to system memory; migrating the whole range again succeeds with cpages = npages
# (system pages migrate; device-private pages are skipped but still in the device PT).
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
# CPU faults on half of the pages migrate them back (dmirror_devmem_fault)
p: read buf[0] expect 0
p: read buf[1] expect 1
p: read buf[2] expect 2
p: read buf[3] expect 3
# pages 0-3 migrate again; pages 4-7 are still device-private and keep their device PT entries
p: dmirror d migrate buf
expect d counters cpages 8
p: dmirror d read buf expect 0, 1, 2, 3, 4, 5, 6, 7
expect d counters faults 0, cpages 8
