import type { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import type { NotifyEvent } from './events.js';
import { Later, runNow, type Op } from './types.js';
import { kernelStackEnter, kernelStackLeave } from './stack.js';

/** Linux: struct mmu_notifier_range */
export interface NotifierRange {
  readonly mm: Mm;
  readonly start: number;
  readonly end: number;
  readonly event: NotifyEvent;
  /** MMU_NOTIFIER_RANGE_BLOCKABLE: false for the OOM reaper (..._start_nonblock). */
  readonly blockable: boolean;
  /** For MIGRATE: the device owner that started it (a driver skips its own). */
  readonly owner?: unknown;
  /** The task running the invalidation (for driver locks). */
  readonly task: number;
}

/**
 * A classic subscriber. Callbacks run inside the invalidating thread, as its steps.
 * `invalidateRangeStart` returns false when non-blockable and it would have to sleep.
 * Linux: struct mmu_notifier_ops
 */
export interface MmuNotifierOps {
  readonly name: string;
  invalidateRangeStart?(range: NotifierRange): Op<boolean>;
  invalidateRangeEnd?(range: NotifierRange): Op<void>;
  release?(mm: Mm, task: number): Op<void>;
  /** Reclaim aging asks secondary MMUs whether they used the page. */
  clearFlushYoung?(mm: Mm, start: number, end: number): boolean;
  /**
   * The subscriber's own mutable state, for an exploration's state key (src/sched/statekey.ts);
   * without it the key walks the subscriber's plain data. Not a Linux callback.
   */
  stateText?(): string;
}

/**
 * An interval subscription: a range of one mm and the driver's invalidate callback,
 * which must call {@link mmuIntervalSetSeq} under the driver's lock.
 * Linux: struct mmu_interval_notifier, mmu_interval_notifier_ops
 */
export class IntervalSub {
  /** interval_sub->invalidate_seq */
  invalidateSeq = 0;
  constructor(
    readonly mm: Mm,
    public start: number,
    public end: number,
    readonly ops: { readonly name: string; invalidate(sub: IntervalSub, range: NotifierRange, curSeq: number): Op<boolean> },
    readonly owner: unknown,
  ) {}
}

/**
 * Per-mm notifier state (struct mmu_notifier_subscriptions). `invalidateSeq` is even when
 * idle; an invalidation overlapping any interval makes it odd, and it becomes even again
 * when the last active range ends:
 *
 *   idle seq=2 ── start (overlaps) ── seq=3 ── callbacks set_seq(3) ── end ── seq=4
 *   read_begin: sub.seq == mm.seq (3) ⇒ wait until mm.seq changes, return 3
 *   read_retry(3): sub.seq != 3 ⇒ another invalidation has called the driver since
 */
export class MmNotifiers {
  invalidateSeq = 2;
  activeInvalidateRanges = 0;
  readonly subs: MmuNotifierOps[] = [];
  readonly intervals: IntervalSub[] = [];
  hasItree = false;
}

const overlaps = (s: number, e: number, r: NotifierRange) => s < r.end && r.start < e;
const NO_INTERVALS: readonly IntervalSub[] = Object.freeze([]);

/** Linux: mmu_interval_notifier_insert() */
export function mmuIntervalNotifierInsert(sub: IntervalSub): void {
  const n = sub.mm.notifiers;
  if (n.activeInvalidateRanges > 0) {
    n.invalidateSeq |= 1;
    sub.invalidateSeq = n.invalidateSeq;
  } else {
    sub.invalidateSeq = n.invalidateSeq - 1;
  }
  n.intervals.push(sub);
}

/** Linux: mmu_interval_notifier_remove() (waits for no active invalidation in mmspec's model) */
export function mmuIntervalNotifierRemove(sub: IntervalSub): void {
  const list = sub.mm.notifiers.intervals;
  const i = list.indexOf(sub);
  if (i >= 0) list.splice(i, 1);
}

/** Linux: mmu_interval_set_seq() — the driver calls it under its lock from invalidate(). */
export function mmuIntervalSetSeq(sub: IntervalSub, curSeq: number): void {
  sub.invalidateSeq = curSeq;
}

/**
 * Returns the sequence to pass to read_retry, first waiting while an invalidation that
 * has already called this subscription is in progress. Linux: mmu_interval_read_begin()
 */
export function* mmuIntervalReadBegin(sub: IntervalSub): Op<number> {
  const n = sub.mm.notifiers;
  const seq = sub.invalidateSeq;
  if (seq === n.invalidateSeq) {
    yield { wait: 'mmu_interval_read_begin: invalidation in progress', ready: () => n.invalidateSeq !== seq, carries: seq };
  }
  return seq;
}

/** True when an invalidation collided since read_begin. Linux: mmu_interval_read_retry() */
export function mmuIntervalReadRetry(sub: IntervalSub, seq: number): boolean {
  return sub.invalidateSeq !== seq;
}

export function mmuNotifierRegister(mm: Mm, ops: MmuNotifierOps): void {
  mm.notifiers.subs.push(ops);
}
export function mmuNotifierUnregister(mm: Mm, ops: MmuNotifierOps): void {
  const i = mm.notifiers.subs.indexOf(ops);
  if (i >= 0) mm.notifiers.subs.splice(i, 1);
}

/**
 * invalidate_range_start: interval subscriptions first (mn_itree_invalidate), then the
 * classic subscribers. Returns false if a non-blockable range met a callback that would
 * sleep: the caller must then leave those PTEs alone.
 * Linux: mmu_notifier_invalidate_range_start(), __mmu_notifier_invalidate_range_start()
 */
export function* mmuNotifierInvalidateRangeStart(k: Kernel, range: NotifierRange): Op<boolean> {
  const n = range.mm.notifiers;
  if (k.config.trace) k.emit({ e: 'notify', phase: 'start', mm: range.mm.id, start: range.start, end: range.end, event: range.event, blockable: range.blockable });
  // mn_itree_inv_start_range
  n.activeInvalidateRanges++;
  // Hot path (reclaim of every page): no allocation when the mm has no interval subscription.
  const hits = n.intervals.length === 0 ? NO_INTERVALS : n.intervals.filter((s) => overlaps(s.start, s.end, range));
  if (hits.length > 0) n.invalidateSeq |= 1;
  const curSeq = n.invalidateSeq;
  let ok = true;
  enterCallbacks(k, range);
  try {
    for (const sub of hits) {
      if (!(yield* sub.ops.invalidate(sub, range, curSeq))) { ok = false; break; }
    }
    if (ok && n.subs.length > 0) {
      for (const s of n.subs.length === 1 ? n.subs : [...n.subs]) {
        if (s.invalidateRangeStart && !(yield* s.invalidateRangeStart(range))) { ok = false; break; }
      }
    }
  } finally {
    leaveCallbacks(k, range);
  }
  if (!ok) {
    // mn_itree_inv_end runs for a failed non-blocking start as well.
    invalidateEndCount(n);
  }
  return ok;
}

/**
 * mmuNotifierInvalidateRangeStart as a plain function, for hot paths (reclaim of every
 * page): same events, same result. An mm with interval subscriptions gets the general op
 * (as a {@link Later}, before anything happened). A classic subscriber's callback is run
 * with runNow: when it yields (it waits for a lock, say), the rest — that callback, the
 * following subscribers, the failure's mn_itree_inv_end — is returned as a Later, so
 * nothing here ever blocks or yields itself.
 */
export function mmuNotifierInvalidateRangeStartNow(k: Kernel, range: NotifierRange): boolean | Later<boolean> {
  const n = range.mm.notifiers;
  if (n.intervals.length > 0) return new Later(mmuNotifierInvalidateRangeStart(k, range));
  if (k.config.trace) k.emit({ e: 'notify', phase: 'start', mm: range.mm.id, start: range.start, end: range.end, event: range.event, blockable: range.blockable });
  n.activeInvalidateRanges++;
  // No interval subscription: the sequence number does not change.
  if (n.subs.length === 0) return true;
  const subs = n.subs.length === 1 ? n.subs : [...n.subs];
  for (let i = 0; i < subs.length; i++) {
    const s = subs[i]!;
    if (!s.invalidateRangeStart) continue;
    enterCallbacks(k, range);
    let r;
    try {
      r = runNow(s.invalidateRangeStart(range));
    } finally {
      leaveCallbacks(k, range);
    }
    if (r instanceof Later) return new Later(invalidateStartRest(k, range, subs, i, r.op));
    if (!r) {
      invalidateEndCount(n);
      return false;
    }
  }
  return true;
}

/** A callback may start another invalidation (the mirror's zap of its own VMA): a nesting frame. */
function enterCallbacks(k: Kernel, range: NotifierRange): void {
  kernelStackEnter(k, range.task, 'invalidations');
}

function leaveCallbacks(k: Kernel, range: NotifierRange): void {
  kernelStackLeave(k, range.task);
}

/** The rest of a start whose subscriber `i` yielded (see mmuNotifierInvalidateRangeStartNow). */
function* invalidateStartRest(k: Kernel, range: NotifierRange, subs: readonly MmuNotifierOps[], i: number, rest: Op<boolean>): Op<boolean> {
  void k;
  let ok = yield* rest;
  for (i++; ok && i < subs.length; i++) {
    const s = subs[i]!;
    if (s.invalidateRangeStart && !(yield* s.invalidateRangeStart(range))) ok = false;
  }
  if (!ok) invalidateEndCount(range.mm.notifiers);
  return ok;
}

/** Linux: mmu_notifier_invalidate_range_end(), mn_itree_inv_end() */
export function* mmuNotifierInvalidateRangeEnd(k: Kernel, range: NotifierRange): Op<void> {
  yield* invalidateEndInner(k, range, true);
}

function* invalidateEndInner(k: Kernel, range: NotifierRange, callEnd: boolean): Op<void> {
  const n = range.mm.notifiers;
  if (callEnd && n.subs.length > 0) {
    for (const s of n.subs.length === 1 ? n.subs : [...n.subs]) if (s.invalidateRangeEnd) yield* s.invalidateRangeEnd(range);
  }
  invalidateEndCount(n);
  if (callEnd && k.config.trace) k.emit({ e: 'notify', phase: 'end', mm: range.mm.id, start: range.start, end: range.end, event: range.event, blockable: range.blockable });
}

/** mn_itree_inv_end(): one active range fewer; the last one makes the sequence even. */
function invalidateEndCount(n: MmNotifiers): void {
  n.activeInvalidateRanges--;
  if (n.activeInvalidateRanges === 0 && (n.invalidateSeq & 1) === 1) n.invalidateSeq++;
}

/**
 * mmuNotifierInvalidateRangeEnd as a plain function, for hot paths: same events. A
 * callback that yields makes the rest (it, the following subscribers, the count and the
 * event) a {@link Later}; nothing here blocks or yields itself.
 */
export function mmuNotifierInvalidateRangeEndNow(k: Kernel, range: NotifierRange): undefined | Later<void> {
  const n = range.mm.notifiers;
  if (n.subs.length > 0) {
    const subs = n.subs.length === 1 ? n.subs : [...n.subs];
    for (let i = 0; i < subs.length; i++) {
      const s = subs[i]!;
      if (!s.invalidateRangeEnd) continue;
      const r = runNow(s.invalidateRangeEnd(range));
      if (r instanceof Later) return new Later(invalidateEndRest(k, range, subs, i, r.op));
    }
  }
  invalidateEndCount(n);
  if (k.config.trace) k.emit({ e: 'notify', phase: 'end', mm: range.mm.id, start: range.start, end: range.end, event: range.event, blockable: range.blockable });
  return undefined;
}

/** The rest of an end whose subscriber `i` yielded (see mmuNotifierInvalidateRangeEndNow). */
function* invalidateEndRest(k: Kernel, range: NotifierRange, subs: readonly MmuNotifierOps[], i: number, rest: Op<void>): Op<void> {
  yield* rest;
  for (i++; i < subs.length; i++) {
    const s = subs[i]!;
    if (s.invalidateRangeEnd) yield* s.invalidateRangeEnd(range);
  }
  invalidateEndCount(range.mm.notifiers);
  if (k.config.trace) k.emit({ e: 'notify', phase: 'end', mm: range.mm.id, start: range.start, end: range.end, event: range.event, blockable: range.blockable });
}

/**
 * The mm is being torn down: every subscriber's release(), before any page is unmapped.
 * Linux: mmu_notifier_release() from exit_mmap()
 */
export function* mmuNotifierRelease(k: Kernel, mm: Mm, task: number): Op<void> {
  k.emit({ e: 'release', mm: mm.id });
  // Only classic subscribers have release(); interval subscriptions see the UNMAP
  // invalidations of the teardown that follows (unmap_vmas).
  for (const s of [...mm.notifiers.subs]) if (s.release) yield* s.release(mm, task);
}

/** Reclaim aging: do secondary MMUs report the page young? Linux: mmu_notifier_clear_flush_young() */
export function mmuNotifierClearFlushYoung(mm: Mm, start: number, end: number): boolean {
  let young = false;
  for (const s of mm.notifiers.subs) if (s.clearFlushYoung?.(mm, start, end)) young = true;
  return young;
}
