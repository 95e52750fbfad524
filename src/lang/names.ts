/**
 * The closed vocabularies of the language (spec-language.md §1, §5–§9), shared by the
 * static checks, the interpreter and the docs. Each table is the single source of truth.
 */

/** Words reserved as names (spec-language.md §1): every keyword of the grammar. */
export const KEYWORDS: readonly string[] = [
  'spec', 'tags', 'memory', 'frames', 'swap', 'slots', 'process', 'file', 'pages', 'kernel',
  'mmap', 'anon', 'shared', 'huge', 'at', 'offset', 'target', 'open', 'close', 'mirror', 'dmirror',
  'of', 'with', 'read', 'write', 'munmap', 'mprotect', 'madvise', 'mremap', 'to', 'fork', 'exit',
  'expect', 'reclaim', 'migrate', 'compact', 'khugepaged', 'ksm', 'and', 'numa-scan', 'writeback',
  'oom', 'snapshot', 'race', 'explore', 'schedule', 'always', 'sometimes', 'never', 'pte', 'none',
  'present', 'migration', 'numa', 'holds', 'page', 'refcount', 'mapcount', 'counters', 'coherent',
  'violation', 'trace', 'maps', 'special', 'dirty', 'young', 'zero',
];

export const PROTS = ['none', 'r', 'rw', 'rx', 'rwx'] as const;
export type Prot = (typeof PROTS)[number];

export const ADVICES = [
  'dontneed', 'free', 'pageout', 'cold', 'willneed', 'hugepage', 'nohugepage', 'mergeable', 'collapse',
] as const;
export type Advice = (typeof ADVICES)[number];

/** Errors a system call statement may expect (§5). */
export const SYSCALL_ERRNOS = ['EINVAL', 'ENOMEM', 'EFAULT', 'EPERM', 'EAGAIN'] as const;
export type SyscallErrno = (typeof SYSCALL_ERRNOS)[number];

/** Errors a dmirror ioctl may expect (§7b). */
export const DMIRROR_ERRNOS = ['EFAULT', 'EPERM', 'EINVAL', 'ENOENT', 'EBUSY', 'ENOMEM'] as const;
export type DmirrorErrno = (typeof DMIRROR_ERRNOS)[number];

/** SIGKILL (the OOM killer's) extends the contract's two: a fault with no memory left kills a process. */
export const SIGNALS = ['SIGSEGV', 'SIGBUS', 'SIGKILL'] as const;
export type Signal = (typeof SIGNALS)[number];

export const VIOLATION_KINDS = [
  'stale-mirror', 'mirror-perm', 'use-after-free', 'refcount', 'livelock', 'deadlock',
] as const;
export type ViolationKind = (typeof VIOLATION_KINDS)[number];

/** Counters of a mirror device (§7). */
export const MIRROR_COUNTERS = ['faults', 'retries', 'invalidations', 'zaps', 'sigbus'] as const;
/** Counters of a dmirror device's last command (§7b). */
export const DMIRROR_COUNTERS = ['faults', 'cpages'] as const;
export type CounterName = (typeof MIRROR_COUNTERS)[number] | (typeof DMIRROR_COUNTERS)[number];

/** Attribute words of `pte present` (§8); `maps ADDR` is the one attribute with an argument. */
export const PTE_ATTRS = ['r', 'rw', 'special', 'dirty', 'young', 'huge', 'zero', 'maps', '!rw', '!special', '!dirty', '!young', '!huge', '!zero'] as const;
export type PteAttr = (typeof PTE_ATTRS)[number];

export const QUANTIFIERS = ['always', 'sometimes', 'never'] as const;
export type Quantifier = (typeof QUANTIFIERS)[number];

/**
 * Parts of a dmirror snapshot PERM (`zero+read`, `dev-local+write`): one access word, then
 * flags, joined by `+` in any order. Linux: HMM_DMIRROR_PROT_* in lib/test_hmm_uapi.h.
 */
export const PERM_ACCESS = ['error', 'none', 'read', 'write'] as const;
export const PERM_FLAGS = [
  'zero', 'pmd', 'pud', 'dev-local', 'dev-remote', 'dev-coherent-local', 'dev-coherent-remote',
] as const;

/** `expected a protection (none, r, rw, rx, rwx)`: how messages list a vocabulary. */
export function listWords(words: readonly string[]): string {
  return words.join(', ');
}
