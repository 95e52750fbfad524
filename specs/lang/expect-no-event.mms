spec "expect no event: madvise cold of a page that no mirror maps sends no notifier callback; a read of a mapped page faults no more"
tags lang, expect

process vm1
vm1: mmap anon heap pages 2
vm1: write heap[0] "a"
# madvise(MADV_COLD) deactivates the page (madvise_cold_or_pageout_pte_range()): it
# only clears the young bit (no mmu_notifier invalidation) and frees nothing.
vm1: madvise heap cold
expect no event "notify"
expect no event "free pfn"
# The previous statement is the last one that is not an expectation: still the madvise.
expect vm1.heap[0] pte present rw dirty
expect no event "notify"
vm1: read heap[0] expect "a"
expect no event "fault"
vm1: read heap[1] expect 0
expect no event "alloc"
