spec "The OOM killer kills a process while a fault of it is being handled: the fault ends, but the access never happens — it gets SIGKILL"
tags races, oom

# t2's first-touch fault maps a page; before t2 makes its store, t1 OOM-kills vm1 (the
# reaper and exit tear the mm down). A task with SIGKILL pending never returns to user
# space (fatal_signal_pending on the fault's retry path, exit_to_user_mode_loop →
# do_exit): the store is not made, and t2's write gets SIGKILL.
process vm1
vm1: mmap anon heap pages 2
vm1: write heap[1] "x"
race {
  t1 = kernel: oom vm1
  t2 = vm1: write heap[0] "never stored" expect SIGKILL
} schedule t2@fault, t1, t2
expect trace {
  ...
  [t2@fault]
  oom vm1
  ...
  [t1 done]
  signal vm1 heap[0] SIGKILL: killed by the OOM killer
  [t2 done]
}
expect vm1.heap[0..2] pte none
