spec "hmm-tests anon_write_child: device write in a forked child copies on write; the parent keeps its data"
tags hmm-tests

# Kernel: hmm-tests.c TEST_F(hmm, anon_write_child), variant hmm_device_private.
# Checks: after fork() a child opens its own dmirror and the device writes the inherited
# private anonymous buffer: faults 1, cpages = npages; the child sees the device's data,
# the parent still sees its own (COW). The kernel loops over migrate (first migrate the
# buffer to device-private memory, so the fork copies device-private entries) x use_thp;
# the four iterations run in this order, each in its own region and child.
# The kernel does not check the child's values after the device write when migrate=1.
# Scaled: HMM_BUFFER_SIZE (1024 pages) -> 8 pages; page i holds the value i (the kernel fills ptr[i] = i per int). The device's values: 100 + i (the kernel writes -i; mmspec integers are not negative).
# THP: a 2 MiB region (512 pages, `huge` = MADV_HUGEPAGE, 2 MiB aligned) cannot be scaled down; every page of it holds the same value (7 on the CPU side, 107 when the device writes) so that one `read RANGE expect V` checks all 512 pages.
# Kernel THP setup: mmap 2 x 2 MiB, align, MADV_HUGEPAGE; mmspec `huge` aligns itself.

process p
p: open dmirror d

# iteration migrate=0, use_thp=0
p: mmap anon a pages 8 rw
p: write a[0] 0
p: write a[1] 1
p: write a[2] 2
p: write a[3] 3
p: write a[4] 4
p: write a[5] 5
p: write a[6] 6
p: write a[7] 7
p: fork c1
# the child sees the parent's values
c1: read a[0] expect 0
c1: read a[1] expect 1
c1: read a[2] expect 2
c1: read a[3] expect 3
c1: read a[4] expect 4
c1: read a[5] expect 5
c1: read a[6] expect 6
c1: read a[7] expect 7
# the child needs its own dmirror on its own mm
c1: open dmirror d1
c1: dmirror d1 write a = 100, 101, 102, 103, 104, 105, 106, 107
expect d1 counters faults 1, cpages 8
c1: read a[0] expect 100
c1: read a[1] expect 101
c1: read a[2] expect 102
c1: read a[3] expect 103
c1: read a[4] expect 104
c1: read a[5] expect 105
c1: read a[6] expect 106
c1: read a[7] expect 107
c1: close d1
c1: exit
# copy-on-write: the parent's buffer did not change
p: read a[0] expect 0
p: read a[1] expect 1
p: read a[2] expect 2
p: read a[3] expect 3
p: read a[4] expect 4
p: read a[5] expect 5
p: read a[6] expect 6
p: read a[7] expect 7
p: munmap a

# iteration migrate=0, use_thp=1
p: mmap anon b pages 512 rw huge
p: write b 7
p: fork c2
# the child sees the parent's values
c2: read b expect 7
# the child needs its own dmirror on its own mm
c2: open dmirror d2
c2: dmirror d2 write b = 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107
expect d2 counters faults 1, cpages 512
c2: read b expect 107
c2: close d2
c2: exit
# copy-on-write: the parent's buffer did not change
p: read b expect 7
p: munmap b

# iteration migrate=1, use_thp=0
p: mmap anon c pages 8 rw
p: write c[0] 0
p: write c[1] 1
p: write c[2] 2
p: write c[3] 3
p: write c[4] 4
p: write c[5] 5
p: write c[6] 6
p: write c[7] 7
p: dmirror d migrate c
expect d counters cpages 8
p: fork c3
# the child sees the parent's values (its CPU faults migrate the device-private pages back to RAM, for both processes)
c3: read c[0] expect 0
c3: read c[1] expect 1
c3: read c[2] expect 2
c3: read c[3] expect 3
c3: read c[4] expect 4
c3: read c[5] expect 5
c3: read c[6] expect 6
c3: read c[7] expect 7
# the child needs its own dmirror on its own mm
c3: open dmirror d3
c3: dmirror d3 write c = 100, 101, 102, 103, 104, 105, 106, 107
expect d3 counters faults 1, cpages 8
c3: close d3
c3: exit
# copy-on-write: the parent's buffer did not change
p: read c[0] expect 0
p: read c[1] expect 1
p: read c[2] expect 2
p: read c[3] expect 3
p: read c[4] expect 4
p: read c[5] expect 5
p: read c[6] expect 6
p: read c[7] expect 7
p: munmap c

# iteration migrate=1, use_thp=1
p: mmap anon e pages 512 rw huge
p: write e 7
p: dmirror d migrate e
expect d counters cpages 512
p: fork c4
# the child sees the parent's values (its CPU faults migrate the device-private pages back to RAM, for both processes)
c4: read e expect 7
# the child needs its own dmirror on its own mm
c4: open dmirror d4
c4: dmirror d4 write e = 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107
expect d4 counters faults 1, cpages 512
c4: close d4
c4: exit
# copy-on-write: the parent's buffer did not change
p: read e expect 7
p: munmap e

