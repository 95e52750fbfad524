spec "hmm-tests anon_read_prot: device read of PROT_NONE memory fails with EFAULT"
tags hmm-tests

# Kernel: hmm-tests.c TEST_F(hmm, anon_read_prot), variant hmm_device_private.
# Checks: HMM_DMIRROR_READ of a PROT_NONE private anonymous buffer returns -EFAULT and
# changes nothing: the CPU still reads the original data once readable again.
# The kernel also checks that its user-side mirror buffer was not written; mmspec has
# no user bounce buffer (the ioctl copies out only on success, so nothing was copied).
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
p: mprotect buf none
# hmm_range_fault with HMM_PFN_REQ_FAULT on a VMA without VM_READ: -EFAULT
p: dmirror d read buf expect EFAULT
p: mprotect buf r
p: read buf[0] expect 0
p: read buf[1] expect 1
p: read buf[2] expect 2
p: read buf[3] expect 3
p: read buf[4] expect 4
p: read buf[5] expect 5
p: read buf[6] expect 6
p: read buf[7] expect 7
