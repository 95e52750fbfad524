spec "hmm-tests anon_write: device writes private anonymous memory"
tags hmm-tests

# Kernel: hmm-tests.c TEST_F(hmm, anon_write), variant hmm_device_private.
# Checks: HMM_DMIRROR_WRITE into an untouched private anonymous buffer write-faults every
# page in one round (faults 1, cpages = npages) and the CPU sees the device's data.
# Scaled: HMM_BUFFER_SIZE (1024 pages) -> 8 pages; page i holds the value i (the kernel fills ptr[i] = i per int).

process p
p: open dmirror d
p: mmap anon buf pages 8 rw
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
