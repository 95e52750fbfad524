spec "hmm-tests anon_teardown: device read racing with munmap of half the buffer"
tags hmm-tests

# Kernel: hmm-tests.c TEST_F(hmm, anon_teardown), variant hmm_device_private.
# Checks: a thread munmaps the second half of the buffer after a random delay while the
# device reads it; if the read succeeds it saw faults 1, cpages = npages and the data.
# The kernel repeats it NTIMES (10) with random timing; the spec runs the two extreme
# orders as explicit race schedules (read first; munmap first, where the read fails with
# -EFAULT, which the kernel tolerates).
# Scaled: 8 pages; page i holds i + c (c = iteration).

process p
p: open dmirror d

# iteration 0: the device read wins the race with the munmap of the second half
p: mmap anon a pages 8 rw
p: write a[0] 0
p: write a[1] 1
p: write a[2] 2
p: write a[3] 3
p: write a[4] 4
p: write a[5] 5
p: write a[6] 6
p: write a[7] 7
race {
  t1 = p: dmirror d read a expect 0, 1, 2, 3, 4, 5, 6, 7
  t2 = p: munmap a[4..8]
} schedule t1, t2
expect d counters faults 1, cpages 8
p: munmap a

# iteration 1: the munmap wins; the read faults into the hole: -EFAULT (the kernel accepts
# a failed read and checks nothing then)
p: mmap anon b pages 8 rw
p: write b[0] 1
p: write b[1] 2
p: write b[2] 3
p: write b[3] 4
p: write b[4] 5
p: write b[5] 6
p: write b[6] 7
p: write b[7] 8
race {
  t1 = p: dmirror d read b expect EFAULT
  t2 = p: munmap b[4..8]
} schedule t2, t1
p: munmap b
