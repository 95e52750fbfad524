spec "fork=copy: fork copies the special mirror PTEs into the child, which no notifier covers; they go stale"
tags seed, fork

process vm1
process intro
vm1: mmap anon heap pages 1
vm1: write heap[0] "x"
intro: open mirror m of vm1 with fork=copy
intro: mmap m view pages 1 target vm1.heap[0]
intro: read view[0] expect "x"
# copy_page_range copies PFNMAP PTEs as they are (vma_needs_copy)
intro: fork ichild
expect ichild.view[0] pte present r special maps vm1.heap[0]
# reclaim: the callback zaps intro's PTE, but the child's copy still maps the old frame,
# and once reclaim frees it, a freed frame (use-after-free)
kernel: reclaim vm1.heap[0]
expect violation stale-mirror
expect intro.view[0] pte none
expect ichild.view[0] pte present r special
