spec "fork of shared mappings copies no PTEs; the child faults the same pages in, writes are seen by both"
tags kernel, fork, shmem

file f pages 1
process p
p: mmap anon shm pages 1 rw shared
p: write shm[0] "s"
p: mmap file data f pages 1 rw shared
p: write data[0] "d"
p: fork c
expect trace {
  ...
  fork p -> c (pid 2)
}
expect c.shm pte none
c: read shm[0] expect "s"
expect c.shm[0] pte present rw maps p.shm[0]      # shmem: no write-notify, a read maps it writable
c: write shm[0] "s2"
p: read shm[0] expect "s2"
c: write data[0] "d2"
p: read data[0] expect "d2"
expect c.data[0] pte present rw dirty maps p.data[0]
