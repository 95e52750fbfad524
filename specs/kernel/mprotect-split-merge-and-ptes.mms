spec "mprotect of the middle of a VMA splits it in three and write-protects those PTEs; undoing it merges the VMA back"
tags kernel, mprotect, vma

process p
p: mmap anon heap pages 4 rw
p: write heap 1
p: mprotect heap[1..3] r
# mprotect_fixup splits at both edges; change_protection fires PROTECTION_VMA once the
# populated PMD is found and clears the write bit of each PTE of the range.
expect trace {
  ...
  mprotect p heap[1..3] r--p
  vma_split p at heap[1]
  vma_split p at heap[3]
  notify start p heap[1..3] PROTECTION_VMA
  pte p heap[1]: pfn 2 rw dirty young -> pfn 2 r dirty young
  pte p heap[2]: pfn 3 rw dirty young -> pfn 3 r dirty young
  notify end p heap[1..3] PROTECTION_VMA
}
expect p.heap[0] pte present rw
expect p.heap[3] pte present rw
p: write heap[1] 2 expect SIGSEGV
p: read heap[1] expect 1
# Back to rw: the pages are exclusive anonymous pages, so can_change_pte_writable lets
# the PTEs become writable at once (no write fault needed); the three VMAs merge.
p: mprotect heap[1..3] rw
expect trace {
  ...
  mprotect p heap[1..3] rw-p
  notify start p heap[1..3] PROTECTION_VMA
  pte p heap[1]: pfn 2 r dirty young -> pfn 2 rw dirty young
  pte p heap[2]: pfn 3 r dirty young -> pfn 3 rw dirty young
  notify end p heap[1..3] PROTECTION_VMA
  ...
}
p: write heap[1] 2
