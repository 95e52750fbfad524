spec "hmm-tests anon_read_multiple: device reads fresh anonymous buffers several times"
tags hmm-tests

# Kernel: hmm-tests.c TEST_F(hmm, anon_read_multiple), variant hmm_device_private.
# Checks: NTIMES times: a fresh buffer holding i + c is read by the device with one fault
# round (faults 1, cpages = npages).
# Scaled: NTIMES 10 -> 3. Scaled: HMM_BUFFER_SIZE (1024 pages) -> 8 pages; page i holds i + c (the kernel fills ptr[i] = i per int).

process p
p: open dmirror d

# iteration c = 0: page i holds i + c
p: mmap anon r0 pages 8 rw
p: write r0[0] 0
p: write r0[1] 1
p: write r0[2] 2
p: write r0[3] 3
p: write r0[4] 4
p: write r0[5] 5
p: write r0[6] 6
p: write r0[7] 7
p: dmirror d read r0 expect 0, 1, 2, 3, 4, 5, 6, 7
expect d counters faults 1, cpages 8
p: munmap r0

# iteration c = 1: page i holds i + c
p: mmap anon r1 pages 8 rw
p: write r1[0] 1
p: write r1[1] 2
p: write r1[2] 3
p: write r1[3] 4
p: write r1[4] 5
p: write r1[5] 6
p: write r1[6] 7
p: write r1[7] 8
p: dmirror d read r1 expect 1, 2, 3, 4, 5, 6, 7, 8
expect d counters faults 1, cpages 8
p: munmap r1

# iteration c = 2: page i holds i + c
p: mmap anon r2 pages 8 rw
p: write r2[0] 2
p: write r2[1] 3
p: write r2[2] 4
p: write r2[3] 5
p: write r2[4] 6
p: write r2[5] 7
p: write r2[6] 8
p: write r2[7] 9
p: dmirror d read r2 expect 2, 3, 4, 5, 6, 7, 8, 9
expect d counters faults 1, cpages 8
p: munmap r2

