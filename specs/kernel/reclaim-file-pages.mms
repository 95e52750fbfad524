spec "Reclaim of file pages: a clean page is dropped and re-read, a dirty shared page is written back first, a shmem page goes to swap"
tags kernel, reclaim, file, shmem

file data pages 2
process vm1
vm1: mmap file ro data pages 2
vm1: mmap file sh data pages 2 rw shared
vm1: mmap anon shm pages 1 shared
vm1: read ro[0] expect "data:0"
vm1: write sh[1] "new"
vm1: write shm[0] "in shmem"
# one page-cache page maps ro[0], the other is dirty through sh[1]
kernel: reclaim vm1.ro[0]
expect vm1.ro[0] pte none
expect vm1.ro[0] holds "data:0"
kernel: reclaim vm1.sh[1]
expect trace {
  ...
  pte vm1 sh[1]: pfn 2 rw dirty young -> none
  notify end vm1 sh[1] CLEAR
  writeback pfn 2 data:1
  reclaim pfn 2: dropped from the page cache
  free pfn 2
}
expect vm1.sh[1] pte none
# read back from the file
vm1: read sh[1] expect "new"
kernel: reclaim vm1.shm[0]
expect vm1.shm[0] pte none
expect vm1.shm[0] holds "in shmem"
vm1: read shm[0] expect "in shmem"
