import type { Kernel } from '../kernel/kernel.js';
import type { Mm } from '../kernel/mm.js';
import { Mutex, mutexLock, downRead } from '../kernel/locks.js';
import { doMmap, type Prot } from '../kernel/mmap.js';
import {
  VM_PFNMAP, VM_IO, VM_DONTEXPAND, VM_DONTDUMP, VM_MIXEDMAP, VM_DONTCOPY, VM_WRITE,
  type Vma, type VmOps, type FaultRequest, type VmFault,
} from '../kernel/vma.js';
import {
  IntervalSub, mmuIntervalNotifierInsert, mmuIntervalNotifierRemove, mmuIntervalReadBegin, mmuIntervalReadRetry,
  mmuIntervalSetSeq, mmuNotifierRegister, mmuNotifierUnregister, type NotifierRange, type MmuNotifierOps,
} from '../kernel/notifier.js';
import {
  hmmRangeFault, hmmRangeInit, hmmMirrorRegister, hmmMirrorUnregister, hmmRangeRegister, hmmRangeUnregister,
  hmmRangeValid, hmmRangeWaitUntilValid, HMM_PFN_VALID, HMM_PFN_WRITE, HMM_PFN_ERROR, HMM_PFN_REQ_FAULT,
  HMM_PFN_REQ_WRITE, type HmmLegacyRange, type HmmMirrorOps, type HmmPfn,
} from '../kernel/hmm.js';
import { vmfInsertPfnProt, zapVmaPtes, zapPageRangeSingle, pageContent, folioMarkDirty } from '../kernel/memory.js';
import { pteProtBits } from '../kernel/fault.js';
import { isPresent, PTE_WRITE, PTE_SPECIAL } from '../kernel/pte.js';
import type { InvariantHook, TouchedPte, Violation } from '../kernel/invariants.js';
import { ZERO_PFN } from '../kernel/frames.js';
import { attachedTo, KernelError, PAGE_SIZE, HPAGE_PMD_SIZE, type Op, type Value } from '../kernel/types.js';

/**
 * The seed's mirror device (Jérôme Glisse, 2019, for KVM introspection): a process maps
 * a device file and sees another process's memory through it. Written as a Linux driver
 * would be, with the kernel's public functions only:
 *
 *   open     a device context bound to the target mm (a classic notifier for release)
 *   mmap     a VM_PFNMAP|VM_SHARED VMA (or MIXEDMAP, or the argued-against anonymous VMA),
 *            and an interval notifier over the mirrored target range
 *   fault    begin → snapshot (hmm_range_fault on the target) → lock → check → insert
 *            the target's pfn → unlock; a collision restarts at begin
 *   notifier inv-lock → set_seq → inv-zap (zap_vma_ptes on the mirror) → inv-unlock
 *
 * The update lock orders "check + insert" against "set_seq + zap": once the callback
 * has run, a fault that snapshotted before it sees read_retry true and starts over.
 */

/** The designs of the seed thread (spec-language.md §7); the same shape as lang's MirrorOptions. */
export interface MirrorConfig {
  readonly api: 'interval' | 'hmm2019';
  readonly check: 'valid' | 'inverted' | 'none';
  readonly lock: 'on' | 'off';
  readonly vma: 'pfnmap' | 'mixedmap' | 'anon';
  readonly fault: 'hmm' | 'snapshot';
  readonly fork: 'dontcopy' | 'copy';
  readonly mkwrite: 'fault' | 'none';
  readonly maxRetries: number;
}

export interface MirrorCounters {
  /** Mirror faults served (a PTE inserted or found). */
  faults: number;
  /** Restarts of a fault: hmm_range_fault's -EBUSY and failed checks. */
  retries: number;
  /** Notifier callbacks received that overlapped a view (and release). */
  invalidations: number;
  /** Mirror PTEs cleared by those callbacks. */
  zaps: number;
  /** Faults answered with VM_FAULT_SIGBUS. */
  sigbus: number;
}

/**
 * One mmap of the device: `pages` mirror pages over [tStart, tEnd) of the target. A mirror
 * address maps to a target address through the VMA's pgoff, so splits and mremap keep it.
 */
export class MirrorView {
  /** The VMAs of the mapping mm (mmap, then splits): what the callback zaps. */
  readonly vmas = new Set<Vma>();
  /** Copies fork made in other mms (fork=copy): counted, never zapped (no notifier covers them). */
  readonly copies = new Set<Vma>();
  sub: IntervalSub | undefined;
  constructor(
    readonly dev: MirrorDevice,
    readonly mm: Mm,
    readonly tStart: number,
    readonly pages: number,
    /** vm_pgoff of the mirror VMA at mmap time. */
    readonly pgoffBase: number,
  ) {}

  get tEnd(): number { return this.tStart + this.pages * PAGE_SIZE; }
  /** The target address that `addr` of `vma` mirrors. */
  targetAddr(vma: Vma, addr: number): number {
    return this.tStart + (vma.linearIndex(addr) - this.pgoffBase) * PAGE_SIZE;
  }
  /** The address of `vma` mirroring target address `t`, or -1. */
  mirrorAddr(vma: Vma, t: number): number {
    if (t < this.tStart || t >= this.tEnd) return -1;
    return vma.addressOf(this.pgoffBase + (t - this.tStart) / PAGE_SIZE);
  }
  /** Like mirrorAddr for a range bound, which may lie at or beyond the VMA's end. */
  mirrorAddrUnclamped(vma: Vma, t: number): number {
    return vma.start + (this.pgoffBase + (t - this.tStart) / PAGE_SIZE - vma.pgoff) * PAGE_SIZE;
  }
}

/** An open mirror device (the `struct file`'s private data). */
export class MirrorDevice {
  readonly counters: MirrorCounters = { faults: 0, retries: 0, invalidations: 0, zaps: 0, sigbus: 0 };
  /** The driver's update lock: fault check+insert against the callback's set_seq+zap. */
  readonly lock: Mutex;
  readonly views: MirrorView[] = [];
  readonly vmOps: VmOps;
  fdOpen = true;
  /** The target mm was torn down (release): every later fault gets SIGBUS. */
  dead = false;
  /** fd closed and last VMA gone: the notifiers are removed. */
  released = false;
  /** Target addresses a peek is following now: a chain of views that comes back ends there. */
  private readonly peeking = new Set<number>();
  /** VMAs holding the device open (vm_ops open/close). */
  vmaRefs = 0;
  private readonly releaseOps: MmuNotifierOps;
  private readonly hmmMirror: HmmMirrorOps | undefined;
  private livelocks = 0;

  constructor(readonly k: Kernel, readonly name: string, readonly target: Mm, readonly opts: MirrorConfig) {
    this.lock = new Mutex(`${name} update lock`);
    const dev = this;
    this.vmOps = {
      name: 'mirror',
      ...(opts.vma === 'anon' ? { anonymous: true } : {}),
      fault: (req) => dev.fault(req),
      ...(opts.mkwrite === 'fault' && opts.vma !== 'anon' ? { pfnMkwrite: (req: FaultRequest) => dev.fault({ ...req, write: true }) } : {}),
      open: (vma) => dev.vmaOpen(vma),
      close: (vma) => dev.vmaClose(vma),
      peek: (vma, addr) => dev.peek(vma, addr),
    };
    // Its state is the device's (stateText below).
    this.releaseOps = { name: `mirror ${name}`, release: (mm, task) => dev.release(mm, task), stateText: () => '' };
    mmuNotifierRegister(target, this.releaseOps);
    if (opts.api === 'hmm2019') {
      this.hmmMirror = { name: `mirror ${name}`, syncCpuDevicePagetables: (range) => dev.invalidate(dev.views, range, () => {}) };
      hmmMirrorRegister(this.hmmMirror, target);
    }
    mirrorRegistry(k).devices.add(this);
  }

  private emit(what: string, at?: { mm: number; start: number; end: number }, detail?: string): void {
    this.k.emit({ e: 'driver', dev: this.name, what, ...(at ? { at } : {}), ...(detail ? { detail } : {}) });
  }

  // ------------------------------------------------------------------ mmap, open, close

  /**
   * The device's mmap: a VMA of `pages` pages in `mm` mirroring target address `tAddr`
   * onwards. Returns the address or a KernelError. Steps: `mmap`.
   */
  *mmap(task: number, mm: Mm, pages: number, tAddr: number, prot: Prot, at?: number): Op<number | KernelError> {
    const o = this.opts;
    let extra = o.fork === 'dontcopy' ? VM_DONTCOPY : 0;
    if (o.vma === 'pfnmap') extra |= VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_DONTDUMP;
    if (o.vma === 'mixedmap') extra |= VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTDUMP;
    const view = new MirrorView(this, mm, tAddr, pages, 0);
    const r = yield* doMmap(this.k, task, mm, {
      ...(at !== undefined ? { addr: at } : {}), len: pages * PAGE_SIZE, prot,
      shared: o.vma !== 'anon', ops: this.vmOps, extraFlags: extra, priv: view,
    });
    if (r instanceof KernelError) return r;
    const vma = mm.findVma(r)!;
    (view as { pgoffBase: number }).pgoffBase = vma.linearIndex(r);
    view.vmas.add(vma);
    this.vmaRefs++;
    this.views.push(view);
    mirrorRegistry(this.k).addView(view);
    if (o.api === 'interval') {
      const dev = this;
      view.sub = new IntervalSub(this.target, view.tStart, view.tEnd, {
        name: `mirror ${this.name}`,
        invalidate: (sub, range, curSeq) => dev.invalidate([view], range, () => mmuIntervalSetSeq(sub, curSeq)),
      }, this);
      mmuIntervalNotifierInsert(view.sub);
    }
    this.emit(o.api === 'interval' ? 'interval notifier on' : 'hmm mirror of', { mm: this.target.id, start: view.tStart, end: view.tEnd });
    return r;
  }

  /** close(fd): the VMAs keep the device; it goes when the last one is unmapped. Linux: fops->release */
  close(): void {
    this.fdOpen = false;
    if (this.vmaRefs === 0) this.releaseDevice();
    else this.emit('close', undefined, `(${this.vmaRefs === 1 ? '1 VMA keeps' : `${this.vmaRefs} VMAs keep`} the device)`);
  }

  /** vm_ops->open: a split (same mm) or fork's copy (fork=copy) of a mirror VMA. */
  private vmaOpen(vma: Vma): void {
    const view = vma.priv as MirrorView;
    if (vma.mm === view.mm) view.vmas.add(vma); else view.copies.add(vma);
    this.vmaRefs++;
  }

  /** vm_ops->close: the VMA is unmapped. */
  private vmaClose(vma: Vma): void {
    const view = vma.priv as MirrorView;
    view.vmas.delete(vma);
    view.copies.delete(vma);
    this.vmaRefs--;
    if (this.vmaRefs === 0 && !this.fdOpen) this.releaseDevice();
  }

  /** Last reference gone: notifiers removed. */
  private releaseDevice(): void {
    if (this.released) return;
    this.released = true;
    for (const v of this.views) if (v.sub) mmuIntervalNotifierRemove(v.sub);
    if (this.hmmMirror) hmmMirrorUnregister(this.hmmMirror, this.target);
    mmuNotifierUnregister(this.target, this.releaseOps);
    mirrorRegistry(this.k).removeDevice(this);
    this.emit('released');
  }

  // ------------------------------------------------------------------ the fault path

  /**
   * vm_ops->fault (and pfn_mkwrite with a write request): kernel-model.md §7. Steps
   * begin, snapshot, lock, check, insert, unlock — repeated after a retry.
   */
  private *fault(req: FaultRequest): Op<VmFault> {
    const { vma, task, write } = req;
    const k = this.k, o = this.opts;
    const view = vma.priv as MirrorView;
    const addr = req.addr as number;
    const t = view.targetAddr(vma, addr);
    const here = { mm: vma.mm.id, start: addr, end: addr + PAGE_SIZE };
    let retries = 0;
    for (;;) {
      if (this.dead) return this.sigbus(here, 'the target mm is gone');
      // 1. begin
      let seq = 0;
      let legacy: HmmLegacyRange | undefined;
      if (o.api === 'interval') {
        seq = yield* mmuIntervalReadBegin(view.sub!);
        this.emit(`fault${req.wp ? ' (pfn_mkwrite)' : ''}`, here, `begin ${write ? 'write ' : ''}seq=${seq}`);
      } else {
        legacy = hmmRangeRegister(this.target, t, t + PAGE_SIZE);
        yield* hmmRangeWaitUntilValid(legacy);
        this.emit(`fault${req.wp ? ' (pfn_mkwrite)' : ''}`, here, `begin ${write ? 'write ' : ''}range registered, valid`);
      }
      if (this.k.step('begin')) yield 'begin';
      // 2. snapshot
      const flags = (o.fault === 'hmm' ? HMM_PFN_REQ_FAULT : 0) | (write ? HMM_PFN_REQ_WRITE : 0);
      const range = hmmRangeInit(this.target, t, t + PAGE_SIZE, flags, legacy ? { legacy } : { notifier: view.sub!, seq });
      yield* downRead(this.target.mmapLock, task);
      const r = yield* hmmRangeFault(k, task, range);
      this.target.mmapLock.upRead(task);
      const entry = range.hmmPfns[0]!;
      this.emit('snapshot', { mm: this.target.id, start: t, end: t + PAGE_SIZE }, r === 0 ? hmmPfnText(entry) : `-${r}`);
      if (this.k.step('snapshot')) yield 'snapshot';
      if (r === 'EBUSY') {
        if (legacy) hmmRangeUnregister(legacy);
        if (this.retry(here, ++retries, 'hmm_range_fault -EBUSY')) continue;
        return this.sigbus(here, 'livelock');
      }
      if (legacy && r !== 0) hmmRangeUnregister(legacy);
      if (r !== 0) return this.sigbus(here, `hmm_range_fault -${r}`);
      if ((entry.flags & HMM_PFN_VALID) === 0) {
        if (legacy) hmmRangeUnregister(legacy);
        return this.sigbus(here, (entry.flags & HMM_PFN_ERROR) !== 0 ? 'target page not mirrorable' : 'target page not present');
      }
      if (write && (entry.flags & HMM_PFN_WRITE) === 0) {
        if (legacy) hmmRangeUnregister(legacy);
        return this.sigbus(here, 'target page is not writable');
      }
      // 3. lock
      if (o.lock === 'on') yield* mutexLock(this.lock, task);
      if (this.k.step('lock')) yield 'lock';
      // 4. check
      const collided = legacy ? !hmmRangeValid(legacy) : mmuIntervalReadRetry(view.sub!, seq);
      const again = o.check === 'valid' ? collided : o.check === 'inverted' ? !collided : false;
      if (again) {
        if (o.lock === 'on') this.lock.unlock(task);
        if (legacy) hmmRangeUnregister(legacy);
        const why = legacy ? (collided ? 'range invalid' : 'range valid, check inverted')
          : collided ? `seq ${seq} -> ${view.sub!.invalidateSeq}` : `seq ${seq} unchanged, check inverted`;
        const go = this.retry(here, ++retries, why);
        if (this.k.step('check')) yield 'check';
        if (go) continue;
        return this.sigbus(here, 'livelock');
      }
      if (this.k.step('check')) yield 'check';
      // 5. insert
      const writable = write && vma.has(VM_WRITE) && (entry.flags & HMM_PFN_WRITE) !== 0;
      this.insert(vma, addr, entry.pfn, writable, req.wp);
      if (this.k.step('insert')) yield 'insert';
      // 6. unlock
      if (o.lock === 'on') this.lock.unlock(task);
      if (legacy) hmmRangeUnregister(legacy);
      this.counters.faults++;
      if (this.k.step('unlock')) yield 'unlock';
      return 'nopage';
    }
  }

  /**
   * Counts a restart; false when the fault has retried more than max-retries times
   * (abandoned: the `livelock` violation).
   */
  private retry(here: { mm: number; start: number; end: number }, n: number, why: string): boolean {
    // `retries` counts restarts; the collision that ends a fault past max-retries is not one.
    if (n <= this.opts.maxRetries) {
      this.counters.retries++;
      this.emit('retry', here, `(${why})`);
      return true;
    }
    this.emit('give up', here, `(${why}: collision ${n}, max-retries ${this.opts.maxRetries})`);
    const key = `livelock:${this.name}:${++this.livelocks}`;
    this.k.check.raise({ kind: 'livelock', key, detail: `${this.name}: a fault collided ${n} times (max-retries ${this.opts.maxRetries}) and was abandoned` });
    this.k.check.resolve(key);
    return false;
  }

  private sigbus(here: { mm: number; start: number; end: number }, why: string): VmFault {
    this.counters.sigbus++;
    this.emit('sigbus', here, `(${why})`);
    return 'sigbus';
  }

  /**
   * Step 5: the target's pfn into the mirror. PFNMAP/MIXEDMAP: a special PTE with an
   * explicit protection (vmf_insert_pfn_prot; a plain vmf_insert_pfn would take the
   * VMA's page protection, writable in a shared writable VMA). The anonymous design: an
   * ordinary PTE set directly, with no reference and no mapcount taken.
   *
   * A writable insert marks the target page dirty first (folio_mark_dirty, as GUP-for-write
   * users and KVM do): writes through the mirror PTE set no dirty bit that reclaim or
   * writeback can see (zap_pte_range ignores a special PTE's), so a clean shmem or file
   * page would be dropped with them. Every write through this PTE is covered: writeback's
   * page_mkclean and reclaim's unmap invalidate the target page, which zaps the PTE, so a
   * later write faults here again and dirties the page again.
   */
  private insert(vma: Vma, addr: number, pfn: number, writable: boolean, mkwrite: boolean): void {
    const prot = pteProtBits(vma, writable);
    this.emit('insert', { mm: vma.mm.id, start: addr, end: addr + PAGE_SIZE }, `${pfn === ZERO_PFN ? 'zero' : `pfn ${pfn}`} ${writable ? 'rw' : 'r'}`);
    if (writable) folioMarkDirty(this.k, pfn);
    if (this.opts.vma !== 'anon') {
      vmfInsertPfnProt(this.k, vma, addr, pfn, prot, mkwrite && writable);
      return;
    }
    if (vma.mm.pte(addr).bits === 0) this.k.setPte(vma.mm, addr, pfn, prot | (pfn === ZERO_PFN ? PTE_SPECIAL : 0));
  }

  // ------------------------------------------------------------------ the notifier callback

  /**
   * The invalidate callback for [range.start, range.end) of the target: takes the update
   * lock, records the invalidation (`setSeq`: mmu_interval_set_seq; the v5.2 core has set
   * `valid` already), zaps the overlapping mirror PTEs. Non-blockable and the lock is
   * held: returns false. Steps inv-lock, inv-zap, inv-unlock.
   */
  private *invalidate(views: readonly MirrorView[], range: NotifierRange, setSeq: () => void): Op<boolean> {
    const hits = views.filter((v) => v.tStart < range.end && range.start < v.tEnd);
    if (hits.length === 0) return true;
    if (this.dead) {
      // release zapped everything and no fault inserts any more (exit_mmap's UNMAP).
      setSeq();
      return true;
    }
    const task = range.task;
    if (this.opts.lock === 'on') {
      if (!range.blockable) {
        if (!this.lock.tryLock(task)) {
          this.emit(`invalidate ${range.event}`, { mm: this.target.id, start: range.start, end: range.end }, 'nonblock: lock held, -EAGAIN');
          return false;
        }
      } else {
        yield* mutexLock(this.lock, task);
      }
    }
    if (this.k.step('inv-lock')) yield 'inv-lock';
    setSeq();
    for (const view of hits) {
      const s = Math.max(range.start, view.tStart), e = Math.min(range.end, view.tEnd);
      let zapped = 0;
      for (const vma of [...view.vmas]) zapped += yield* this.zapView(view, vma, s, e, task);
      this.counters.invalidations++;
      this.counters.zaps += zapped;
      this.emit(`invalidate ${range.event}`, { mm: this.target.id, start: s, end: e }, `zapped ${zapped}`);
    }
    if (this.k.step('inv-zap')) yield 'inv-zap';
    if (this.opts.lock === 'on') this.lock.unlock(task);
    if (this.k.step('inv-unlock')) yield 'inv-unlock';
    return true;
  }

  /**
   * Zaps the mirror PTEs of `vma` that mirror target [s, e): zap_vma_ptes() for PFNMAP
   * (which refuses any other VMA — so the anonymous design zaps nothing), and
   * zap_page_range_single() for MIXEDMAP as such drivers must.
   */
  private *zapView(view: MirrorView, vma: Vma, s: number, e: number, task: number): Op<number> {
    const lo = Math.max(vma.start, view.mirrorAddrUnclamped(vma, s));
    const hi = Math.min(vma.end, view.mirrorAddrUnclamped(vma, e));
    if (lo >= hi) return 0;
    if (this.opts.vma === 'mixedmap') return yield* zapPageRangeSingle(this.k, vma, lo, hi, task);
    return yield* zapVmaPtes(this.k, vma, lo, hi, task);
  }

  /** The target mm is torn down (exit_mmap): zap everything, the device is dead. */
  private *release(mm: Mm, task: number): Op<void> {
    void mm;
    if (this.opts.lock === 'on') yield* mutexLock(this.lock, task);
    let zapped = 0;
    for (const view of this.views) {
      for (const vma of [...view.vmas]) zapped += yield* this.zapView(view, vma, view.tStart, view.tEnd, task);
    }
    this.dead = true;
    this.counters.invalidations++;
    this.counters.zaps += zapped;
    this.emit('release', undefined, `(target mm gone) zapped ${zapped}, later faults get SIGBUS`);
    if (this.opts.lock === 'on') this.lock.unlock(task);
  }

  // ------------------------------------------------------------------ inspection

  /**
   * What a non-present mirror page shows: the target's content there, without faulting. A
   * view whose target is a mirror view in turn (possibly itself, placed where it mirrors)
   * is followed to the end of the chain; a chain that comes back to a page already visited
   * shows nothing (0), as no fault could ever resolve it.
   */
  private peek(vma: Vma, addr: number): Value {
    const view = vma.priv as MirrorView;
    const t = view.targetAddr(vma, addr);
    if (this.peeking.has(t)) return 0;
    this.peeking.add(t);
    try {
      return pageContent(this.k, this.target, t) ?? 0;
    } finally {
      this.peeking.delete(t);
    }
  }

  /**
   * `expect coherent`: every present PTE of the device's VMAs (fork copies included)
   * maps the frame the target maps now, with no more permission. Returns the problems.
   */
  incoherence(): string[] {
    const out: string[] = [];
    const check = (view: MirrorView, vma: Vma, a: number) => {
      const p = checkMirrorPte(this, view, vma, a);
      if (p) out.push(p.detail);
    };
    for (const view of this.views) {
      for (const vma of [...view.vmas, ...view.copies]) {
        // Only a present PTE can be incoherent: the populated entries are enough.
        vma.mm.walkPtes(vma.start, vma.end, (base) => {
          for (let a = Math.max(base, vma.start); a < Math.min(vma.end, base + HPAGE_PMD_SIZE); a += PAGE_SIZE) check(view, vma, a);
        }, (a) => check(view, vma, a));
      }
    }
    return out;
  }

  /**
   * The driver's mutable state for explore's state key (src/sched/statekey.ts): lock holder,
   * counters, flags, and per view the notifier's seq and range and how many VMAs it has.
   * Everything else of the device is fixed at open/mmap; mirror PTEs are in the kernel's text.
   */
  stateText(): string {
    const c = this.counters;
    let s = `${this.lock.owner} ${c.faults},${c.retries},${c.invalidations},${c.zaps},${c.sigbus} ` +
      `${+this.fdOpen}${+this.dead}${+this.released} ${this.vmaRefs} ${this.livelocks}`;
    for (const v of this.views) {
      s += `|${v.tStart},${v.pages},${v.pgoffBase},${v.vmas.size},${v.copies.size}`;
      if (v.sub) s += `,${v.sub.invalidateSeq},${v.sub.start},${v.sub.end}`;
    }
    return s;
  }

  /** The mirror VMAs that exist now, with their mm (for the final state). */
  get liveVmas(): Vma[] {
    return this.views.flatMap((v) => [...v.vmas, ...v.copies]);
  }
}

/** `pfn 3 write`, `pfn 3 read`, `zero read`, `none`, `error`. */
function hmmPfnText(e: HmmPfn): string {
  if ((e.flags & HMM_PFN_ERROR) !== 0) return 'error';
  if ((e.flags & HMM_PFN_VALID) === 0) return 'none';
  return `${e.pfn === ZERO_PFN ? 'zero' : `pfn ${e.pfn}`} ${(e.flags & HMM_PFN_WRITE) !== 0 ? 'write' : 'read'}`;
}


// ------------------------------------------------------------------ opening

/** open(): a device context bound to `target`'s mm. Linux: fops->open */
export function mirrorOpen(k: Kernel, name: string, target: Mm, opts: MirrorConfig): MirrorDevice {
  return new MirrorDevice(k, name, target, opts);
}

// ------------------------------------------------------------------ invariants (kernel-model §9.3)

/**
 * The mirror PTE at `addr` of `vma` against the target's PTE now: `stale-mirror` when it
 * maps another frame (or the target maps none), `mirror-perm` when it is writable and the
 * target's is not. Undefined when coherent or not present.
 */
function checkMirrorPte(dev: MirrorDevice, view: MirrorView, vma: Vma, addr: number): Violation | undefined {
  const pte = vma.mm.pte(addr);
  if (!isPresent(pte.bits)) return undefined;
  const t = view.targetAddr(vma, addr);
  const tp = dev.dead ? { pfn: 0, bits: 0 } : dev.target.pte(t);
  const where = `${dev.name}: mm ${vma.mm.id} 0x${addr.toString(16)} maps ${pte.pfn === ZERO_PFN ? 'the zero page' : `pfn ${pte.pfn}`}`;
  const tWhere = `target mm ${dev.target.id} 0x${t.toString(16)}`;
  if (!isPresent(tp.bits) || tp.pfn !== pte.pfn) {
    const has = isPresent(tp.bits) ? (tp.pfn === ZERO_PFN ? 'the zero page' : `pfn ${tp.pfn}`) : 'no page';
    return { kind: 'stale-mirror', key: `stale:${vma.mm.id}:${addr}`, detail: `${where}, but ${tWhere} maps ${has}` };
  }
  if ((pte.bits & PTE_WRITE) !== 0 && (tp.bits & PTE_WRITE) === 0) {
    return { kind: 'mirror-perm', key: `perm:${vma.mm.id}:${addr}`, detail: `${where} writable, but ${tWhere} maps it read-only` };
  }
  return undefined;
}

/** Per kernel: the open devices, their views by target mm, and the invariant hook. */
class MirrorRegistry implements InvariantHook {
  readonly name = 'mirror';
  readonly devices = new Set<MirrorDevice>();
  private readonly byTarget = new Map<Mm, Set<MirrorView>>();
  private readonly mirrorOps = new WeakSet<VmOps>();
  /** Keys broken now, so that a place that stops being a mirror page is cleared. */
  private readonly brokenKeys = new Set<string>();

  addView(view: MirrorView): void {
    let s = this.byTarget.get(view.dev.target);
    if (!s) this.byTarget.set(view.dev.target, (s = new Set()));
    s.add(view);
    this.mirrorOps.add(view.dev.vmOps);
  }
  removeDevice(dev: MirrorDevice): void {
    this.devices.delete(dev);
    for (const v of dev.views) this.byTarget.get(dev.target)?.delete(v);
  }

  check(k: Kernel, touched: readonly TouchedPte[]): { examined: string[]; broken: Violation[] } {
    void k;
    const examined: string[] = [];
    const broken: Violation[] = [];
    const seen = new Set<string>();
    const look = (vma: Vma, addr: number) => {
      const place = `${vma.mm.id}:${addr}`;
      if (seen.has(place)) return;
      seen.add(place);
      examined.push(`stale:${place}`, `perm:${place}`);
      const view = vma.priv as MirrorView;
      const v = checkMirrorPte(view.dev, view, vma, addr);
      if (v) broken.push(v);
    };
    for (const t of touched) {
      const vma = t.mm.findVma(t.addr);
      if (vma?.ops && this.mirrorOps.has(vma.ops)) {
        look(vma, t.addr);
      } else {
        const place = `${t.mm.id}:${t.addr}`;
        if (this.brokenKeys.has(`stale:${place}`) || this.brokenKeys.has(`perm:${place}`)) examined.push(`stale:${place}`, `perm:${place}`);
      }
      const views = this.byTarget.get(t.mm);
      if (!views) continue;
      for (const view of views) {
        if (t.addr < view.tStart || t.addr >= view.tEnd) continue;
        for (const vma of [...view.vmas, ...view.copies]) {
          const m = view.mirrorAddr(vma, t.addr);
          if (m >= 0) look(vma, m);
        }
      }
    }
    for (const key of examined) this.brokenKeys.delete(key);
    for (const v of broken) this.brokenKeys.add(v.key);
    return { examined, broken };
  }

  save(): readonly string[] | undefined {
    return this.brokenKeys.size === 0 ? undefined : [...this.brokenKeys];
  }
  restore(saved: unknown): void {
    this.brokenKeys.clear();
    for (const key of (saved as readonly string[] | undefined) ?? []) this.brokenKeys.add(key);
  }
}

const REGISTRY = {};

/** The kernel's mirror registry, installing the invariant hook on first use. */
function mirrorRegistry(k: Kernel): MirrorRegistry {
  return attachedTo(k, REGISTRY, () => {
    const r = new MirrorRegistry();
    k.check.hooks.push(r);
    return r;
  });
}
