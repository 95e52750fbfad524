spec "The OOM killer takes a process whose teardown then hangs on a self-mirror's lock: the reaper and the exit hang in the kernel, the run goes on"
tags mirror, oom, fuzz
# Found by `mmspec fuzz --seed 13`: the victim's deferred exit (exit_mmap) hung and the
# interpreter reported an internal error. The OOM reaper's non-blockable UNMAP reaches the
# driver, whose zap of its view is a blockable CLEAR that re-enters it on the update lock it
# holds (an AA deadlock); the exit's own invalidation waits for that lock too.

process vm1
vm1: mmap anon r pages 7
vm1: open mirror m of vm1 with vma=mixedmap, fault=snapshot
vm1: mmap m v5 pages 3 target vm1.r[3] r
vm1: mmap m v9 pages 2 target vm1.v5[1] rw
vm1: fork child
kernel: oom vm1
expect violation deadlock
