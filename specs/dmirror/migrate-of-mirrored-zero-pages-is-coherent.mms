spec "dmirror migrate of pages its table maps as the zero page: migrate_vma_pages maps the device pages at once, and finalize_and_map updates the table (no stale entry in between)"
tags dmirror, migrate, fuzz
# Found by `mmspec fuzz --seed 20`: the coherence check flagged the window between
# migrate_vma_pages() (the CPU maps the new device page where the zero page was) and
# dmirror_migrate_finalize_and_map() (the table gets it). The MIGRATE invalidation that the
# device owns skips its own mirror (dmirror_interval_invalidate) by design: the window is the
# driver's own, not a stale mirror.

process vm1
vm1: mmap anon heap pages 8
vm1: open dmirror d
dmirror d read heap[2..5] expect 0, 0, 0     # the zero page, in the table
dmirror d migrate heap[1..3]
dmirror d snapshot heap[1..3] expect dev-local+write, dev-local+write
vm1: read heap[2] expect 0                   # back to RAM
