spec "hmm-tests anon_write_prot: device write to read-only memory fails with EPERM, then succeeds after mprotect"
tags hmm-tests

# Kernel: hmm-tests.c TEST_F(hmm, anon_write_prot), variant hmm_device_private.
# Checks: a READ of one page of a PROT_READ buffer gets the zero page (faults 1, cpages 1);
# a WRITE then fails with -EPERM and leaves memory zero; after mprotect(PROT_READ|PROT_WRITE)
# the WRITE replaces the zero page (faults 1, cpages = npages).
# Scaled: HMM_BUFFER_SIZE (1024 pages) -> 8 pages; page i holds the value i (the kernel fills ptr[i] = i per int).

process p
p: open dmirror d
p: mmap anon buf pages 8 r
# the device reads one page: the read fault maps the zero page
p: dmirror d read buf[0] expect 0
expect d counters faults 1, cpages 1
# a write needs HMM_PFN_REQ_WRITE; the VMA has no VM_WRITE: -EPERM
p: dmirror d write buf = 0, 1, 2, 3, 4, 5, 6, 7 expect EPERM
p: read buf expect 0
p: mprotect buf rw
p: dmirror d write buf = 0, 1, 2, 3, 4, 5, 6, 7
expect d counters faults 1, cpages 8
p: read buf[0] expect 0
p: read buf[1] expect 1
p: read buf[2] expect 2
p: read buf[3] expect 3
p: read buf[4] expect 4
p: read buf[5] expect 5
p: read buf[6] expect 6
p: read buf[7] expect 7
