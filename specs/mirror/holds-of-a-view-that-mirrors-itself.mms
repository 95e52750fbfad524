spec "expect holds on a mirror view placed where it mirrors itself shows nothing (0), instead of following the view into itself for ever"
tags mirror, fuzz
# Found by `mmspec fuzz --seed 21`: `holds` reads a page without faulting (pageContent), and
# for a mirror page not yet mapped the driver answers with its target's content; this view's
# target is the view itself (mmap placed it in the hole it mirrors), and the lookup recursed
# until the stack overflowed. No fault can resolve such a page: it shows nothing.

process intro
intro: mmap anon heap pages 1
intro: munmap heap[0]
intro: open mirror m of intro with vma=mixedmap, fault=snapshot
intro: mmap m view pages 1 target intro.heap[0] rw    # placed at heap[0]'s old address
expect intro.view[0] holds 0
intro: open dmirror d
dmirror d write view[0] = 53 expect EFAULT
