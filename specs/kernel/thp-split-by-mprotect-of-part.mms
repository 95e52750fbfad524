spec "mprotect of part of a THP splits it; the protected pages become read-only, the rest stays writable"
tags kernel, thp

process vm1
vm1: mmap anon big pages 512 huge
vm1: write big[0] "a"
vm1: mprotect big[0..2] r
expect vm1.big[0] pte present r
expect vm1.big[2] pte present rw
vm1: write big[0] "b" expect SIGSEGV
vm1: write big[2] "c"
vm1: read big[0] expect "a"
