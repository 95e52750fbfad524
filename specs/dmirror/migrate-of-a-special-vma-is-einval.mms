spec "dmirror migrate: a VM_PFNMAP or VM_MIXEDMAP range is EINVAL (migrate_vma_setup refuses VM_SPECIAL), a file range ENOENT, a hole EINVAL after the pages before it moved"
tags dmirror, migrate, errno

# lib/test_hmm.c dmirror_migrate_to_device(): per VMA piece, vma_lookup() — no VMA or no
# VM_READ is -EINVAL — then migrate_vma_setup(), which returns -EINVAL for a VMA with
# VM_SPECIAL (VM_IO|VM_DONTEXPAND|VM_PFNMAP|VM_MIXEDMAP) before collecting anything: no
# MIGRATE notifier runs. A file-backed VMA passes setup, but its pages are not selected,
# so the read-back (dmirror_do_read) finds no device entry: -ENOENT. The pieces before
# a failing one stay migrated.
process intro
intro: mmap anon heap pages 3
intro: write heap[0] "a"
intro: write heap[2] "c"
intro: open dmirror d
intro: open mirror m of intro
intro: mmap m pfn pages 1 target intro.heap[0]
intro: read pfn[0] expect "a"
intro: open mirror mx of intro with vma=mixedmap
intro: mmap mx mixed pages 1 target intro.heap[0]
intro: read mixed[0] expect "a"
file f pages 1
intro: mmap file fil f pages 1

dmirror d migrate pfn[0] expect EINVAL
dmirror d migrate mixed[0] expect EINVAL
dmirror d migrate fil[0] expect ENOENT
expect trace {
  ...
  read intro mixed[0] = "a"
  mmap intro fil[0] 0x7f0000008000-0x7f0000009000 r--p file f
  d: migrate pfn[0] = EINVAL: migrate_vma_setup refuses a VM_SPECIAL VMA (PFNMAP/MIXEDMAP/IO)
  d: migrate mixed[0] = EINVAL: migrate_vma_setup refuses a VM_SPECIAL VMA (PFNMAP/MIXEDMAP/IO)
  ...
}
# The views still map the target page.
expect intro.pfn[0] pte present r special
expect intro.mixed[0] pte present r special

# heap[1] is a hole, then a mirror view: heap[0] migrates, then the hole is EINVAL.
intro: munmap heap[1]
dmirror d migrate heap[0..2] expect EINVAL
dmirror d snapshot heap[0] expect write+dev-local
intro: mmap m v2 pages 1 target intro.heap[2] at 0x7f0000001000
dmirror d migrate heap[1..3] expect EINVAL
expect intro.v2[0] pte none
expect intro.heap[2] pte present rw
