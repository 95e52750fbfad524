spec "KSM leaves pages alone without MADV_MERGEABLE or when their contents differ"
tags kernel, ksm

process vm1
vm1: mmap anon a pages 1
vm1: mmap anon b pages 1
vm1: write a[0] "x"
vm1: write b[0] "x"
# not VM_MERGEABLE: nothing
kernel: ksm vm1.a[0] and vm1.b[0]
expect vm1.a[0] pte present rw dirty
vm1: madvise a mergeable
vm1: madvise b mergeable
vm1: write b[0] "y"
# mergeable, but the contents differ
kernel: ksm vm1.a[0] and vm1.b[0]
expect vm1.a[0] pte present rw dirty
expect vm1.b[0] pte present rw dirty
