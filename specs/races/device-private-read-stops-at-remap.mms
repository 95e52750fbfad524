spec "A CPU read of a device-private page stops at the remap of its migration back; reclaim then takes the new page"
tags races, dmirror, steps

# The read faults on the device-private entry: do_swap_page → the driver's migrate_to_ram,
# a device migration back (start, clear, end, then remap: the migration entry → the new
# system page, and free of the device page). A schedule may stop the read at `remap`.
process vm1
vm1: mmap anon heap pages 1
vm1: write heap[0] "a"
vm1: open dmirror d
dmirror d migrate heap[0]
race {
  t1 = vm1: read heap[0] expect "a"
  t2 = kernel: reclaim vm1.heap[0]
} schedule t1@remap, t2, t1
# Reclaim swapped the page out between the migration back and the access: the read
# faults again and swaps it in.
expect vm1.heap[0] holds "a"
expect vm1.heap[0] pte present r
