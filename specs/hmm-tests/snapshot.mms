spec "hmm-tests snapshot: snapshot of CPU page tables without faulting (partial: device 1 left out)"
tags hmm-tests

# Kernel: hmm-tests.c TEST_F(hmm2, snapshot), variant hmm2_device_private. PARTIAL port.
# Checks: HMM_DMIRROR_SNAPSHOT reports, without faulting: PROT_NONE VMA -> ERROR, hole -> ERROR,
# zero page -> ZERO|READ, read-only page -> READ, writable page -> WRITE, page migrated to
# this device -> DEV_PRIVATE_LOCAL|WRITE, page migrated to the other device -> NONE.
# Left out: page 6 needs a second device (/dev/hmm_dmirror1); spec-language §7b only opens
# device 0, and a second open of device 0 is the same owner (it would report dev-local).
# Kernel value: val = 3 is written to pages 3 and 4.

process p
p: open dmirror d0
# kernel: 7 pages; page 6 (migrated to device 1, snapshot PROT_NONE) is left out, see header
p: mmap anon buf pages 6 none
# page 1: a hole
p: munmap buf[1]
# page 2: read-only zero page
p: mprotect buf[2] r
p: read buf[2] expect 0
# page 3: read-only data
p: mprotect buf[3] rw
p: write buf[3] 3
p: mprotect buf[3] r
# pages 4-5: read-write; page 4 written
p: mprotect buf[4..6] rw
p: write buf[4] 3
# page 5: migrated (untouched) to device 0
p: dmirror d0 migrate buf[5]
expect d0 counters cpages 1
p: dmirror d0 snapshot buf expect error, error, zero+read, read, write, dev-local+write
expect d0 counters faults 0, cpages 6
