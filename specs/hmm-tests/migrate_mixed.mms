spec "hmm-tests migrate_mixed: migrating a mix of protections, holes, zero and device pages"
tags hmm-tests

# Kernel: hmm-tests.c TEST_F(hmm2, migrate_mixed), variant hmm2_device_private.
# Checks: MIGRATE_TO_DEV fails with -EINVAL on a PROT_NONE range and on a range with a hole;
# pages 2-5 (zero page, read-only data, read-write data) migrate to device 1 (cpages 4);
# migrating page 5 again through device 0 fails with -ENOENT.
# Deviation: spec-language §7b opens only /dev/hmm_dmirror0, so both handles open device 0.
# The results do not depend on it: -ENOENT comes from d0's own (empty) device page table,
# and a device-private page is never selected by MIGRATE_VMA_SELECT_SYSTEM, whoever owns it.
# Kernel value: val = 3 is written to pages 3, 4 and 5 (so page 2 reads 0).

process p
# kernel: fd0 = /dev/hmm_dmirror0, fd1 = /dev/hmm_dmirror1; here both open hmm_dmirror0 (see header)
p: open dmirror d0
p: open dmirror d1
p: mmap anon buf pages 6 none
# migrating a PROT_NONE area: -EINVAL
p: dmirror d1 migrate buf expect EINVAL
p: munmap buf[1]
# the VMAs do not cover the range: -EINVAL
p: dmirror d1 migrate buf[0..3] expect EINVAL
# page 2: read-only zero page
p: mprotect buf[2] r
p: read buf[2] expect 0
# page 3: read-only data
p: mprotect buf[3] rw
p: write buf[3] 3
p: mprotect buf[3] r
# pages 4-5: read-write data
p: mprotect buf[4..6] rw
p: write buf[4] 3
p: write buf[5] 3
p: dmirror d1 migrate buf[2..6]
expect d1 counters cpages 4
# page 5 is device-private now: not selected for migration, and d0's PT has no entry
p: dmirror d0 migrate buf[5] expect ENOENT
