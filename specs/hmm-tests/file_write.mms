spec "hmm-tests file_write: device writes a shared file mapping; the file sees it"
tags hmm-tests

# Kernel: hmm-tests.c TEST_F(hmm, file_write), variant hmm_device_private.
# Checks: HMM_DMIRROR_WRITE to a MAP_SHARED read-write file mapping (faults 1, cpages = npages);
# the CPU mapping and the file (pread) both hold the device's data.
# pread is expressed as `expect ADDR holds V` (the page's content wherever it is).
# Scaled: HMM_BUFFER_SIZE (1024 pages) -> 8 pages; page i holds the value i (the kernel fills ptr[i] = i per int).

# the kernel's file is created by ftruncate: zeros
file f pages 8 = 0, 0, 0, 0, 0, 0, 0, 0
process p
p: open dmirror d
p: mmap file buf f pages 8 rw shared
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
# pread(): the page cache holds the device's data
expect p.buf[0] holds 0
expect p.buf[1] holds 1
expect p.buf[2] holds 2
expect p.buf[3] holds 3
expect p.buf[4] holds 4
expect p.buf[5] holds 5
expect p.buf[6] holds 6
expect p.buf[7] holds 7
