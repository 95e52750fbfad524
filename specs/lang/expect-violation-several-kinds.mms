spec "expect violation KIND, KIND: one statement raises stale-mirror and livelock (fork=copy), and a second expect violation checks the same statement"
tags lang, violation, fork

# The scenario of specs/seed/fork-copy-child-write-over-stale-copy-livelocks.mms: the child's
# write breaks the target's COW of the zero page under its copied special PTE (stale-mirror),
# and insert_pfn() refuses the mkwrite over a PTE of another pfn for ever (livelock).
process vm1
process intro
vm1: mmap anon heap pages 7
intro: open mirror m of vm1 with fork=copy
intro: mmap m view pages 2 target vm1.heap[4]
intro: read view[0..2]
intro: mprotect view[0..2] rw
intro: fork child
child: write view[1] 889 expect SIGBUS
expect violation stale-mirror, livelock
# Issue 14: a second expect violation of the same statement found "none". The violations
# are consumed (they fail nothing more) but still known to the lines that follow.
expect violation livelock
# "The previous statement" is the last one that is not an expectation.
expect vm1.heap[5] holds 0
expect violation stale-mirror
