spec "Migration of a page-cache page replaces it in the page cache; every file mapping follows"
tags kernel, migrate

process vm1
process vm2
file data pages 2
vm1: mmap file f data pages 2
vm2: mmap file f data pages 2 rw shared
vm1: read f[0] expect "data:0"
vm2: read f[0] expect "data:0"
expect page vm1.f[0] refcount 3 mapcount 2
kernel: migrate vm1.f[0]
expect vm2.f[0] pte present maps vm1.f[0]
expect page vm1.f[0] refcount 3 mapcount 2
vm2: write f[0] "new"
vm1: read f[0] expect "new"
