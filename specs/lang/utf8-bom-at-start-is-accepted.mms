spec "A UTF-8 byte order mark before the first statement is dropped: the spec runs as without it"
tags lang, encoding
memory 4 frames

# This file starts with the bytes EF BB BF (as some Windows editors save UTF-8).
# Non-ASCII text is fine in comments and strings: é, →, …
process vm1
vm1: mmap anon heap pages 1
vm1: write heap[0] "café → ok"
vm1: read heap[0] expect "café → ok"
expect vm1.heap[0] pte present rw dirty young
