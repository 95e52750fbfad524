spec "A fault on a file page that reclaim holds locked (unmapped, being written back) sleeps on the page lock, then reads the written-back page from the file"
tags races, file

file data pages 1
process vm1
vm1: mmap file sh data pages 1 rw shared
vm1: write sh[0] "new"
race {
  t1 = vm1: read sh[0] expect "new"
  t2 = kernel: reclaim vm1.sh[0]
} schedule t2@clear
expect vm1.sh[0] pte present r
expect vm1.sh[0] holds "new"
