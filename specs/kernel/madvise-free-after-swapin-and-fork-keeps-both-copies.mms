spec "MADV_FREE of a page swapped in and then shared by fork: the page is dirty (folio_free_swap), so MADV_FREE leaves it alone and reclaim keeps both processes' data"
tags kernel, swap, madvise, fork, fuzz
# Found by `mmspec fuzz --seed 14`: the swap-in dropped the swap-cache copy without marking the
# page dirty, MADV_FREE then made the shared page lazyfree, and reclaim discarded the child's
# data too. Linux: folio_free_swap() → delete_from_swap_cache(), folio_set_dirty() — the page
# is now the only copy; madvise_free_pte_range() skips a dirty page that is mapped twice.

process vm1
vm1: mmap anon heap pages 1
vm1: write heap[0] 588
kernel: reclaim vm1.heap[0]          # to swap
vm1: read heap[0] expect 588         # swapped in; the slot is freed, the page is dirty
vm1: fork child
vm1: madvise heap[0] free            # mapcount 2 and dirty: not made lazyfree
kernel: reclaim vm1.heap[0]          # both mappings unmapped, the page written to swap
child: read heap[0] expect 588
vm1: read heap[0] expect 588
