spec "A CPU fault on a device-private page that finds no system page to migrate back to OOM-kills (it was a fault retried for ever)"
tags dmirror, oom, fuzz
memory 3 frames
# Found by `mmspec fuzz --seed 20`: three device pages hold the three frames (test_hmm backs each
# device page with a system page). The CPU read migrates r[3] back (dmirror_devmem_fault):
# alloc_page_vma(GFP_HIGHUSER_MOVABLE) finds nothing to reclaim, and Linux's allocator
# OOM-kills; mmspec ran the fault again and again with no page, for ever.

process vm1
vm1: mmap anon r pages 5
vm1: open dmirror d
dmirror d migrate r[2..5]
vm1: read r[3] expect SIGKILL      # the only process is the victim
expect vm1.r[2..5] pte none        # reaped: the device pages are freed
