spec "Writeback: page_mkclean write-protects and cleans each shared mapping (PROTECTION_PAGE), the file gets the data, a later write faults and redirties"
tags kernel, writeback, file

file f pages 2
process vm1
process vm2
vm1: mmap file a f pages 2 rw shared
vm2: mmap file b f pages 2 rw shared
vm1: write a[0] "v1"
vm2: read b[0] expect "v1"
kernel: writeback f
expect trace {
  ...
  notify start vm1 a[0] PROTECTION_PAGE
  pte vm1 a[0]: pfn 1 rw dirty young -> pfn 1 r young
  notify end vm1 a[0] PROTECTION_PAGE
  notify start vm2 b[0] PROTECTION_PAGE
  notify end vm2 b[0] PROTECTION_PAGE
  writeback pfn 1 f:0
}
expect vm1.a[0] pte present r
vm1: write a[0] "v2"
expect trace {
  fault vm1 a[0] write: wp_page_shared
  pte vm1 a[0]: pfn 1 r young -> pfn 1 rw dirty young
  write vm1 a[0] = "v2"
}
vm2: read b[0] expect "v2"
kernel: writeback f
# the file has "v2": dropping the clean page-cache page loses nothing
kernel: reclaim vm2.b[0]
expect vm1.a[0] holds "v2"
vm1: read a[0] expect "v2"
