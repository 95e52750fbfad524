spec "fork shares anonymous pages write-protected; each side's first write copies or reuses"
tags kernel, fork, cow

process p
p: mmap anon heap pages 3 rw
p: write heap[0] "a"
p: write heap[1] "b"
p: read heap[2]
expect page p.heap[0] refcount 1 mapcount 1

# copy_page_range: PROTECTION_PAGE on the parent's whole VMA, both sides read-only,
# one more mapping and reference per page; the zero page is copied as it is.
p: fork c
expect trace {
  ...
  fork p -> c (pid 2)
  notify start p heap[0..3] PROTECTION_PAGE
  pte p heap[0]: pfn 1 rw dirty young -> pfn 1 r dirty young
  pte c heap[0]: none -> pfn 1 r dirty
  pte p heap[1]: pfn 2 rw dirty young -> pfn 2 r dirty young
  pte c heap[1]: none -> pfn 2 r dirty
  pte c heap[2]: none -> zero r special
  notify end p heap[0..3] PROTECTION_PAGE
}
expect p.heap[0] pte present r
expect c.heap[0] pte present r maps p.heap[0]
expect page p.heap[0] refcount 2 mapcount 2
expect page p.heap[1] refcount 2 mapcount 2

# The parent writes first: the page is shared, so wp_page_copy (CLEAR on one page).
p: write heap[0] "a2"
expect trace {
  ...
  copy pfn 1 -> pfn 3 (cow)
  notify start p heap[0] CLEAR
  pte p heap[0]: pfn 1 r dirty young -> pfn 3 rw dirty young
  notify end p heap[0] CLEAR
  write p heap[0] = "a2"
}
expect page c.heap[0] refcount 1 mapcount 1

# The child writes the same page next: it is the last user, so wp_page_reuse, no copy.
c: write heap[0] "c0"
expect trace {
  fault c heap[0] write: wp_page_reuse
  pte c heap[0]: pfn 1 r dirty -> pfn 1 rw dirty young
  write c heap[0] = "c0"
}

# The child writes first to the other page: a copy for the child, the parent keeps pfn 2.
c: write heap[1] "c1"
expect page p.heap[1] refcount 1 mapcount 1
p: write heap[1] "b2"
expect p.heap[1] pte present rw maps p.heap[1]

# Writes to the zero page copy on both sides.
c: write heap[2] "c2"
p: read heap[0] expect "a2"
p: read heap[1] expect "b2"
p: read heap[2] expect 0
c: read heap[0] expect "c0"
c: read heap[1] expect "c1"
c: read heap[2] expect "c2"
