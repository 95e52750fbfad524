/**
 * Basic kernel shapes: page geometry, branded numbers, values, failures, and the
 * protocol by which kernel operations expose their atomic steps.
 */

/** x86-64: 4 KiB pages, 512 entries per table, 2 MiB PMD-mapped THPs. */
export const PAGE_SIZE = 4096;
export const PTRS_PER_TABLE = 512;
export const HPAGE_PMD_NR = 512;
export const HPAGE_PMD_SIZE = PAGE_SIZE * HPAGE_PMD_NR;
/** 48-bit virtual addresses; user space ends at 0x7fff_ffff_f000 (TASK_SIZE). */
export const TASK_SIZE = 0x7fff_ffff_f000;

declare const pfnBrand: unique symbol;
declare const vaddrBrand: unique symbol;
declare const slotBrand: unique symbol;
/** A page frame number. Frame 0 is the shared zero page. */
export type Pfn = number & { readonly [pfnBrand]: true };
/** A user virtual address (48-bit, exact in a double). */
export type Vaddr = number & { readonly [vaddrBrand]: true };
/** A swap slot index. */
export type SwapSlot = number & { readonly [slotBrand]: true };

export const asPfn = (n: number): Pfn => n as Pfn;
export const asVaddr = (n: number): Vaddr => n as Vaddr;
export const asSlot = (n: number): SwapSlot => n as SwapSlot;

/** The content of a page: one value; a fresh anonymous page holds 0. */
export type Value = string | number;

/** Page index of an address; division, never `>>` (addresses exceed 32 bits). */
export const pageIndex = (addr: number): number => Math.floor(addr / PAGE_SIZE);
export const pageAligned = (addr: number): boolean => addr % PAGE_SIZE === 0;
export const hugeAligned = (addr: number): boolean => addr % HPAGE_PMD_SIZE === 0;

/** Linux errno values a syscall or ioctl returns, by name. */
export type Errno = 'EINVAL' | 'ENOMEM' | 'EFAULT' | 'EPERM' | 'EAGAIN' | 'EBUSY' | 'ENOENT' | 'EACCES';

/** A syscall that failed as Linux fails it: a value, not an exception. */
export class KernelError extends Error {
  constructor(readonly errno: Errno, readonly reason: string) {
    super(`${errno}: ${reason}`);
  }
}

/** Signals a fault ends in; SIGKILL is the OOM killer's. */
export type Signal = 'SIGSEGV' | 'SIGBUS' | 'SIGKILL';

/** A simulator bug: the message names the simulator function that failed. */
export class SimulatorBug extends Error {}

/**
 * The simulated kernel crashed (a kernel stack overflow, say): nothing can run after it.
 * A simulated outcome, reported as the spec's failure at the statement that caused it.
 * Linux: panic()
 */
export class KernelPanic extends Error {}
export function bug(message: string): never {
  throw new SimulatorBug(message);
}
export function assertNever(x: never, where: string): never {
  throw new SimulatorBug(`${where}: unexpected ${JSON.stringify(x)}`);
}

/**
 * Kernel operations are generators. They yield at the end of each named atomic step
 * (`yield 'clear'`) and yield a {@link Wait} when they cannot go on (a lock is held,
 * a migration entry must be waited for). A sequential run drives them to the end;
 * the scheduler (src/sched) interleaves them by step.
 */
export type Yield = string | Wait;
export type Op<T> = Generator<Yield, T, void>;

/** A thread that cannot proceed: `ready()` tells when it can retry. */
export interface Wait {
  readonly wait: string;
  ready(): boolean;
  /** The lock it waits for, if any (for deadlock and blocking reports). */
  readonly lock?: object;
  /**
   * A value the waiting operation read before the wait and uses after it, or that its
   * readiness depends on (mmu_interval_read_begin's sequence, the pfn whose page lock a
   * fault sleeps on). An exploration's state key includes it: two threads waiting at the
   * same place with different carried values are in different states (src/sched/explore.ts).
   */
  readonly carries?: number;
}
export const isWait = (y: Yield): y is Wait => typeof y !== 'string';

/**
 * What a plain-function fast path of an op returns when it cannot finish without
 * suspending: the op that does exactly the rest (nothing has happened since the point it
 * resumes from). The caller, a generator, runs it with `yield*`. A fast path returns
 * `T | Later<T>`: its result when nothing had to yield, which is the common case.
 */
export class Later<T> {
  constructor(readonly op: Op<T>) {}
}

/**
 * Runs an op (a notifier callback's, say) as far as its first yield without `yield*`:
 * its result when it finished, or a {@link Later} that yields what it yielded and then
 * resumes it — exactly what `yield*` would have done.
 */
export function runNow<T>(op: Op<T>): T | Later<T> {
  const r = op.next();
  return r.done ? r.value : new Later(resumeAfter(op, r.value));
}

function* resumeAfter<T>(op: Op<T>, first: Yield): Op<T> {
  yield first;
  return yield* op;
}

/**
 * State that a module keeps per kernel or per mm (the mirror registry, the dmirror device,
 * device-private page owners, v5.2's mm->hmm), held by its owner under the module's key.
 *
 * Not in module-level WeakMaps keyed by the owner: node 20's young-generation GC keeps a
 * WeakMap entry's value alive, and these values point back to their kernel, so every
 * short-lived kernel (an exploration makes one per replay) survived its scavenges and was
 * promoted. Measured on 60,000 replicas of a mirror spec: 451 MB promoted and 1.0 s of
 * scavenges with a WeakMap, 2 MB and 0.06 s without.
 */
export interface HasAttached {
  readonly attached: Map<object, unknown>;
}

/** The state `owner` holds under `key`, made by `make` on first use. */
export function attachedTo<T>(owner: HasAttached, key: object, make: () => T): T {
  let v = owner.attached.get(key) as T | undefined;
  if (v === undefined) owner.attached.set(key, (v = make()));
  return v;
}
