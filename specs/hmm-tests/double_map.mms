spec "hmm-tests double_map: two device handles read the same memory (partial: cross-device migration left out)"
tags hmm-tests

# Kernel: hmm-tests.c TEST_F(hmm2, double_map), variant hmm2_device_private. PARTIAL port.
# Checks: two devices read the same read-only anonymous memory, each with one fault round
# (faults 1, cpages = npages); then the memory migrates to device 1 and device 0 reads it,
# faulting the device-private pages back to RAM (faults 1, cpages = npages).
# Left out: the second half needs /dev/hmm_dmirror1. With two opens of device 0 the
# MMU_NOTIFY_MIGRATE of the migration carries owner == device 0, so d0's callback skips it,
# d0's page table keeps the freed system pages and its READ faults 0 times: a different
# (and stale) result, not the kernel test.
# Scaled: npages = 6 as in the kernel; page i holds i.

process p
# kernel: fd0 = /dev/hmm_dmirror0, fd1 = /dev/hmm_dmirror1; here both open hmm_dmirror0
p: open dmirror d0
p: open dmirror d1
p: mmap anon buf pages 6 rw
p: write buf[0] 0
p: write buf[1] 1
p: write buf[2] 2
p: write buf[3] 3
p: write buf[4] 4
p: write buf[5] 5
p: mprotect buf r
p: dmirror d0 read buf expect 0, 1, 2, 3, 4, 5
expect d0 counters faults 1, cpages 6
# each open has its own device page table: d1 faults too
p: dmirror d1 read buf expect 0, 1, 2, 3, 4, 5
expect d1 counters faults 1, cpages 6
# left out: migrate to device 1, then read through device 0 (needs two devices)
