spec "hmm-tests migrate_shared: migrating shared anonymous memory fails with ENOENT"
tags hmm-tests

# Kernel: hmm-tests.c TEST_F(hmm, migrate_shared), variant hmm_device_private.
# Checks: HMM_DMIRROR_MIGRATE_TO_DEV of MAP_SHARED|MAP_ANONYMOUS memory migrates nothing
# (not an anonymous VMA), so reading the device PT back fails: -ENOENT.
# Scaled: HMM_BUFFER_SIZE (1024 pages) -> 8 pages; page i holds the value i (the kernel fills ptr[i] = i per int).

process p
p: open dmirror d
p: mmap anon buf pages 8 rw shared
# shmem pages are not migrated to device-private memory; the device PT stays empty
p: dmirror d migrate buf expect ENOENT
