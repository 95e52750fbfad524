spec "An mmap that does not fit below TASK_SIZE gets ENOMEM, as on Linux"
tags kernel, mmap, limits

# TASK_SIZE on x86-64 with 4-level paging is 0x7ffffffff000 (the top page is left unmapped).
# get_unmapped_area() finds no room for 2^40 pages (4 PiB); a fixed mapping that would end
# past TASK_SIZE fails the same way. Statements that expect an errno are exempt from the
# mapping limit of 2^25 pages, so that such a failure can be shown.
process vm1
vm1: mmap anon huge-request pages 1099511627776 expect ENOMEM
vm1: mmap anon top pages 2 at 0x7ffffffff000 expect ENOMEM
vm1: mmap anon last pages 1 at 0x7fffffffe000
vm1: write last[0] 1
