spec "hmm-tests hmm_cow_in_device: copy-on-write of device-private pages after fork"
tags hmm-tests

# Kernel: hmm-tests.c TEST_F(hmm, hmm_cow_in_device), variant hmm_device_private.
# Checks: pages migrated to device-private memory are shared COW by fork(); the parent's
# writes migrate them back to system memory and copy them; after the child is killed a
# snapshot reports every page WRITE (plain system pages, writable).
# The kernel kills the child with SIGKILL; the spec lets it exit.
# Scaled: npages = 4 as in the kernel; page i holds i.

process p
p: open dmirror d
p: mmap anon buf pages 4 rw
p: write buf[0] 0
p: write buf[1] 1
p: write buf[2] 2
p: write buf[3] 3
p: dmirror d migrate buf
expect d counters cpages 4
# the child (which spins until SIGKILL in the kernel) shares the device-private pages COW
p: fork c
# writes fault the device-private pages back to RAM, then copy on write
p: write buf[0] 0
p: write buf[1] 1
p: write buf[2] 2
p: write buf[3] 3
c: exit
p: dmirror d snapshot buf expect write, write, write, write
expect d counters faults 0, cpages 4
