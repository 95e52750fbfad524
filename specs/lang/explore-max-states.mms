spec "explore max-states N: a block sets its own state limit (here lower than the default 50,000); --max-states overrides it"
tags lang, explore

process vm1
process intro
vm1: mmap anon heap pages 2
vm1: write heap[0] "precious"
intro: open mirror m of vm1
intro: mmap m view pages 2 target vm1.heap[0]
# The mirror fault against fork (specs/races/mirror-fault-vs-fork-coherent.mms) needs far
# fewer distinct states than 1,000; a block that needs more stops with "explore stopped".
explore max-states 1000 {
  t1 = intro: read view[0]
  t2 = vm1: fork child
}
expect always coherent m
expect never violation
