spec "vma=anon: dmirror migrate of a mirror view frees the target's page under it and leaves the view an orphaned migration entry"
tags mirror, dmirror, anon-design

# The anonymous mirror design maps the target's page with an ordinary PTE and takes no
# reference or mapcount. HMM_DMIRROR_MIGRATE_TO_DEV of the view: migrate_vma_collect_pmd
# turns the view's PTE into a migration entry and drops a mapcount and a reference the
# view never took — the page now looks unmapped (mapcount 0) though heap[0] maps it, so
# migrate_vma_unmap skips try_to_migrate (folio_mapped is false), the page migrates, and
# the old page is freed while heap[0] still maps it (use-after-free). remove_migration_ptes
# walks the anon_vma, which does not know the view: its migration entry is never replaced.
# With no mapping taking the device page, it is freed too.
process intro
intro: mmap anon heap pages 1
intro: write heap[0] "a"
intro: open mirror m of intro with vma=anon
intro: mmap m view pages 1 target intro.heap[0]
intro: read view[0] expect "a"
expect violation refcount
intro: open dmirror d
dmirror d migrate view[0]
expect violation use-after-free
expect intro.view[0] pte migration
expect intro.heap[0] pte present rw

# A fault on the view finds the migration entry, waits for a migration that is over, and
# finds the entry again: in Linux the access faults forever; mmspec stops after 64 rounds with
# the livelock violation and SIGBUS.
intro: read view[0] expect SIGBUS
expect violation livelock
