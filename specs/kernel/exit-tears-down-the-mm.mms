spec "exit: release first, then one UNMAP over the whole address space; pages only the exiting process mapped are freed"
tags kernel, exit

file f pages 1
process p
p: mmap anon heap pages 2 rw
p: write heap 1
p: mmap file text f pages 1
p: read text[0]
p: fork c
c: write heap[1] 2
c: exit
# exit_mmap: mmu_notifier_release, then unmap_vmas(0, ULONG_MAX) inside one UNMAP
# invalidation. c's own COW copy (pfn 4) is freed; the shared pfn 1 and pfn 2 (its
# parent's) lose a mapping; the file page stays in the page cache.
expect trace {
  ...
  exit c
  notify release c
  notify start c all UNMAP
  pte c heap[0]: pfn 1 r dirty -> none
  pte c heap[1]: pfn 4 rw dirty young -> none
  free pfn 4
  notify end c all UNMAP
}
expect page p.heap[0] refcount 1 mapcount 1
expect page p.heap[1] refcount 1 mapcount 1
expect page p.text[0] refcount 2 mapcount 1
p: exit
expect trace {
  ...
  exit p
  notify release p
  notify start p all UNMAP
  pte p heap[0]: pfn 1 r dirty young -> none
  free pfn 1
  pte p heap[1]: pfn 2 r dirty young -> none
  free pfn 2
  pte p text[0]: pfn 3 r young -> none
  notify end p all UNMAP
}
