spec "hmm-tests anon_write_child_shared: device write in a forked child to shared anonymous memory is seen by the parent"
tags hmm-tests

# Kernel: hmm-tests.c TEST_F(hmm, anon_write_child_shared), variant hmm_device_private.
# Checks: MAP_SHARED|MAP_ANONYMOUS is not copied on write: a device write through the
# child's own dmirror (faults 1, cpages = npages) is seen by the parent.
# Scaled: HMM_BUFFER_SIZE (1024 pages) -> 8 pages; page i holds the value i (the kernel fills ptr[i] = i per int). The device's values: 100 + i (the kernel writes -i).

process p
p: open dmirror d
p: mmap anon buf pages 8 rw shared
p: write buf[0] 0
p: write buf[1] 1
p: write buf[2] 2
p: write buf[3] 3
p: write buf[4] 4
p: write buf[5] 5
p: write buf[6] 6
p: write buf[7] 7
p: fork c
c: read buf[0] expect 0
c: read buf[1] expect 1
c: read buf[2] expect 2
c: read buf[3] expect 3
c: read buf[4] expect 4
c: read buf[5] expect 5
c: read buf[6] expect 6
c: read buf[7] expect 7
c: open dmirror dc
c: dmirror dc write buf = 100, 101, 102, 103, 104, 105, 106, 107
expect dc counters faults 1, cpages 8
c: read buf[0] expect 100
c: read buf[1] expect 101
c: read buf[2] expect 102
c: read buf[3] expect 103
c: read buf[4] expect 104
c: read buf[5] expect 105
c: read buf[6] expect 106
c: read buf[7] expect 107
c: close dc
c: exit
# shared memory: the parent sees the device's write
p: read buf[0] expect 100
p: read buf[1] expect 101
p: read buf[2] expect 102
p: read buf[3] expect 103
p: read buf[4] expect 104
p: read buf[5] expect 105
p: read buf[6] expect 106
p: read buf[7] expect 107
