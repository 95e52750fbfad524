spec "A thread of a child that another thread forks waits until the fork has created it; every interleaving keeps parent and child apart"
tags races, fork

# t1 names `child`, which only t2's fork creates: a task cannot run before it is created
# (kernel_clone: copy_process, then wake_up_new_task), so t1 waits until the fork has
# returned. The parent's own write (t3) may land before the fork, between its steps, or
# after it; the child's write always comes after the fork.
process vm1
vm1: mmap anon heap pages 1
vm1: write heap[0] "a"
explore {
  t1 = child: write heap[0] "c"
  t2 = vm1: fork child
  t3 = vm1: write heap[0] "p"
}
expect always vm1.heap[0] holds "p"
expect always child.heap[0] holds "c"
expect always page vm1.heap[0] refcount 1 mapcount 1

# The same in a race: a schedule may run the new process only once its fork has returned
# (`schedule t1, t2` is bad input: t1 would block, waiting for grandchild to be created).
race {
  t1 = grandchild: read heap[0] expect "c"
  t2 = child: fork grandchild
} schedule t2@start, t2, t1
