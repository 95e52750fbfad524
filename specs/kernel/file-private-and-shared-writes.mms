spec "file mappings: private read maps the page cache read-only, private write copies (do_cow_fault / wp_page_copy), shared write dirties the page cache"
tags kernel, file, cow

file f pages 3
process p
p: mmap file priv f pages 3 rw
p: mmap file shr f pages 3 rw shared
# A write to an empty PTE of a private mapping: do_cow_fault, no notifier.
p: write priv[0] "p0"
expect p.priv[0] pte present rw dirty
p: read shr[0] expect "f:0"
# A read first maps the page-cache page read-only; a later write is wp_page_copy (CLEAR).
p: read shr[1] expect "f:1"
p: read priv[1] expect "f:1"
expect p.priv[1] pte present r maps p.shr[1]
p: write priv[1] "p1"
expect trace {
  ...
  copy pfn 3 -> pfn 4 (cow)
  notify start p priv[1] CLEAR
  pte p priv[1]: pfn 3 r young -> pfn 4 rw dirty young
  notify end p priv[1] CLEAR
  write p priv[1] = "p1"
}
p: read shr[1] expect "f:1"
# A shared write dirties the page-cache page; private mappings of the same page see it.
p: write shr[2] "s2"
p: read priv[2] expect "s2"
expect page p.shr[2] refcount 3 mapcount 2
# The private copies belong to p alone; fork shares them (anon_vma exists) and the file pages.
p: fork c
expect trace {
  ...
  notify start p priv[0..3] PROTECTION_PAGE
  ...
}
c: read priv[0] expect "p0"
c: read shr[2] expect "s2"
