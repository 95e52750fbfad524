spec "hmm-tests anon_read: device reads private anonymous memory (pte_none, zero page, data)"
tags hmm-tests

# Kernel: hmm-tests.c TEST_F(hmm, anon_read), variant hmm_device_private.
# Checks: HMM_DMIRROR_READ of a read-only private anonymous buffer whose first page is
# pte_none and whose second page maps the zero page: one fault round (faults 1),
# all pages copied (cpages = npages), zero for the first two pages, data after.
# Scaled: HMM_BUFFER_SIZE (1024 pages) -> 8 pages; page i holds the value i (the kernel fills ptr[i] = i per int).

process p
p: open dmirror d
p: mmap anon buf pages 8 rw
# pages 0 and 1 stay zero: page 0 pte_none, page 1 the zero page (read below)
p: write buf[2] 2
p: write buf[3] 3
p: write buf[4] 4
p: write buf[5] 5
p: write buf[6] 6
p: write buf[7] 7
p: mprotect buf r
p: read buf[1] expect 0
expect p.buf[0] pte none
expect p.buf[1] pte present r zero
p: dmirror d read buf expect 0, 0, 2, 3, 4, 5, 6, 7
expect d counters faults 1, cpages 8
# the read fault of hmm_range_fault mapped the zero page at page 0 too
expect p.buf[0] pte present r zero
