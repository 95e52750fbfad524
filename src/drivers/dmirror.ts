import type { Kernel } from '../kernel/kernel.js';
import type { Mm } from '../kernel/mm.js';
import type { Vma } from '../kernel/vma.js';
import { VM_READ, VM_WRITE } from '../kernel/vma.js';
import { PTE_KIND_MASK, PTE_PRESENT, PTE_DEVICE, PTE_MIGRATION, PTE_WRITE, PTE_PROTNONE, type PteValue } from '../kernel/pte.js';
import { PG_DEVICE_PRIVATE, ZERO_PFN } from '../kernel/frames.js';
import {
  IntervalSub, mmuIntervalNotifierInsert, mmuIntervalNotifierRemove, mmuIntervalSetSeq, mmuIntervalReadBegin,
  mmuIntervalReadRetry, type NotifierRange,
} from '../kernel/notifier.js';
import { Mutex, mutexLock, downRead } from '../kernel/locks.js';
import { folioMarkDirty } from '../kernel/memory.js';
import {
  hmmRangeFault, hmmRangeInit, HMM_PFN_REQ_FAULT, HMM_PFN_REQ_WRITE, HMM_PFN_VALID, HMM_PFN_WRITE, HMM_PFN_ERROR,
  HMM_PFN_PMD,
} from '../kernel/hmm.js';
import {
  allocDevicePrivatePage, migrateVmaSetup, migrateVmaPages, migrateVmaFinalize, type DevicePrivateOwner,
} from '../kernel/device.js';
import type { FaultOutcome } from '../kernel/fault.js';
import type { InvariantHook, TouchedPte, Violation } from '../kernel/invariants.js';
import { attachedTo, KernelError, PAGE_SIZE, TASK_SIZE, type Op, type Value } from '../kernel/types.js';

/**
 * dmirror — the kernel's HMM test driver (lib/test_hmm.c), as docs/dmirror.md describes it.
 *
 * One device (`/dev/hmm_dmirror0`, device-private memory) is the owner of every HMM and
 * migrate_vma call. Each open is a mirror of the opener's mm: an interval notifier over the
 * whole address space and a device page table (virtual page number → page, WRITE or not)
 * that holds no page references — the notifier must erase an entry before its page can go.
 * Commands are ioctls: READ and WRITE fault what is missing through hmm_range_fault and
 * copy; SNAPSHOT reports the CPU page table without faulting; MIGRATE_TO_DEV moves
 * anonymous pages to device-private memory, and a CPU fault brings a page back
 * (migrate_to_ram).
 */

/** A device page-table entry: the page (no reference held) and DPT_XA_TAG_WRITE. */
export interface DptEntry {
  readonly pfn: number;
  readonly write: boolean;
}

/**
 * Linux: dmirror_range_fault() gives up after HMM_RANGE_DEFAULT_TIMEOUT (1 s). mmspec
 * counts retries instead: this many, plus two per page of the chunk — every fault that
 * hmm_range_fault takes may invalidate the range (a COW break fires CLEAR) and so cost one
 * -EBUSY round that still made progress.
 */
export const DMIRROR_MAX_RETRIES = 16;
const maxRetries = (pages: number): number => DMIRROR_MAX_RETRIES + 2 * pages;
/** Linux: the `unsigned long pfns[64]` chunks of dmirror_fault() and dmirror_migrate_to_device(). */
const CHUNK_PAGES = 64;

/** What a successful command copies back to userspace (struct hmm_dmirror_cmd). */
export interface DmirrorCmd {
  readonly cpages: number;
  readonly faults: number;
}

/** HMM_DMIRROR_SNAPSHOT's byte per page, as mmspec names it (docs/dmirror.md §7). */
export type DmirrorPerm = string;

/**
 * The device: owner of the device-private pages and of every HMM/migrate call.
 * Linux: struct dmirror_device, dev_pagemap_ops dmirror_devmem_ops
 */
export class DmirrorDevice implements DevicePrivateOwner {
  /** Device page → the mirror that migrated it (BACKING_PAGE(page)->zone_device_data). */
  readonly migratedBy = new Map<number, Dmirror>();
  /** Open mirrors, by mm (for the coherence check). */
  readonly mirrors = new Set<Dmirror>();
  /** Device pages handed out and returned (dmirror_device's calloc / cfree). */
  calloc = 0;
  cfree = 0;
  constructor(readonly k: Kernel, readonly name: string) {}

  /**
   * A CPU fault on one of our pages: migrate that page back to a new system page, for
   * every process mapping it, and erase it from the mirror that migrated it.
   * Linux: dmirror_devmem_fault() → dmirror_devmem_fault_alloc_and_copy()
   */
  *migrateToRam(k: Kernel, task: number, vma: Vma, addr: number, pte: PteValue): Op<FaultOutcome> {
    k.emit({ e: 'driver', dev: this.name, what: 'migrate_to_ram', at: { mm: vma.mm.id, start: addr, end: addr + PAGE_SIZE }, detail: `device pfn ${pte.pfn}` });
    const m = yield* migrateVmaSetup(k, task, vma, addr, addr + PAGE_SIZE, this, 'device-private');
    // A device-private entry lives only in an anonymous VMA, which setup never refuses.
    if (m instanceof KernelError) return { kind: 'signal', sig: 'SIGBUS', reason: `${this.name}: migrate_vma_setup ${m.errno}` };
    const s = m.src[0]!;
    // Read before migrate_vma_pages(), which clears MIGRATE for a page left without a destination.
    const spage = s.pfn;
    const wanted = s.migrate && spage !== undefined;
    if (wanted) {
      const dpage = yield* k.allocPage(k.mem.value[spage] ?? 0, 'anon (migrate_to_ram)', task);
      if (dpage !== undefined) {
        this.migratedBy.get(spage)?.erase(Math.floor(addr / PAGE_SIZE));
        m.dst[0] = { pfn: dpage, write: s.write };
        k.emit({ e: 'copy', from: spage, to: dpage, why: 'migrate_to_ram' });
      }
    }
    yield* migrateVmaPages(k, m);
    yield* migrateVmaFinalize(k, m);
    // No system page even after direct reclaim: Linux's alloc_page_vma(GFP_HIGHUSER_MOVABLE)
    // OOM-kills in the allocator; mmspec runs the OOM killer where the fault returns
    // (VM_FAULT_OOM, docs/language.md "Out of memory"), then the access retries.
    if (wanted && !m.dst[0]) return { kind: 'oom' };
    return { kind: 'done' };
  }

  /** Linux: dmirror_devmem_free() — the page returns to the device's free list. */
  pageFree(k: Kernel, pfn: number): void {
    void k;
    this.migratedBy.delete(pfn);
    this.cfree++;
  }
}

const DEVICE = {};

/** The device `/dev/hmm_dmirror0` of this kernel (created with its coherence check on first use). */
export function dmirrorDevice(k: Kernel): DmirrorDevice {
  return attachedTo(k, DEVICE, () => {
    const d = new DmirrorDevice(k, 'hmm_dmirror0');
    k.check.hooks.push(coherenceHook(d));
    return d;
  });
}

/**
 * One open of the device: a mirror of the opener's mm. Linux: struct dmirror
 *
 * Locking: `mutex` guards `pt`; the invalidate callback takes it too (trylock when not
 * blockable), so an entry is stored only if no invalidation collided since the fault's
 * mmu_interval_read_begin (read_retry under the mutex).
 */
export class Dmirror {
  readonly pt = new Map<number, DptEntry>();
  readonly mutex: Mutex;
  readonly notifier: IntervalSub;
  closed = false;
  /** Page numbers whose entry changed since the coherence check last looked. */
  changed: number[] = [];
  /** Pages of its own migration to the device, between migrate_vma_setup and finalize_and_map. */
  readonly migrating = new Set<number>();

  constructor(readonly k: Kernel, readonly dev: DmirrorDevice, readonly mm: Mm, readonly label: string) {
    this.mutex = new Mutex(`${label} mutex`);
    this.notifier = new IntervalSub(mm, 0, TASK_SIZE, { name: label, invalidate: (sub, range, seq) => this.invalidate(sub, range, seq) }, dev);
  }

  /**
   * The interval notifier callback. Linux: dmirror_interval_invalidate()
   *   - this device's own migrations (MIGRATE with owner = device) are skipped outright;
   *   - otherwise: lock (trylock for a non-blockable range: false if held), set_seq, erase
   *     every entry in [start, end] — the page at `end` too (xa_for_each_range is inclusive).
   * Steps: inv-lock, inv-zap, inv-unlock.
   */
  *invalidate(sub: IntervalSub, range: NotifierRange, curSeq: number): Op<boolean> {
    const k = this.k;
    if (range.event === 'MIGRATE' && range.owner === this.dev) return true;
    if (range.blockable) yield* mutexLock(this.mutex, range.task);
    else if (!this.mutex.tryLock(range.task)) {
      k.emit({ e: 'driver', dev: this.label, what: `invalidate ${range.event}`, at: { mm: range.mm.id, start: range.start, end: range.end }, detail: 'mutex held, non-blockable: fail' });
      return false;
    }
    if (this.k.step('inv-lock')) yield 'inv-lock';
    mmuIntervalSetSeq(sub, curSeq);
    const erased = this.eraseRange(Math.floor(range.start / PAGE_SIZE), Math.floor(range.end / PAGE_SIZE));
    if (erased > 0) k.emit({ e: 'driver', dev: this.label, what: `invalidate ${range.event}`, at: { mm: range.mm.id, start: range.start, end: range.end }, detail: `erased ${erased} entr${erased === 1 ? 'y' : 'ies'}` });
    if (this.k.step('inv-zap')) yield 'inv-zap';
    this.mutex.unlock(range.task);
    if (this.k.step('inv-unlock')) yield 'inv-unlock';
    return true;
  }

  /** Erases the entries of pages first..last (inclusive). Linux: dmirror_do_update() */
  private eraseRange(first: number, last: number): number {
    let n = 0;
    if (last - first + 1 > this.pt.size) {
      for (const vpn of [...this.pt.keys()]) if (vpn >= first && vpn <= last) { this.erase(vpn); n++; }
    } else {
      for (let vpn = first; vpn <= last; vpn++) if (this.pt.has(vpn)) { this.erase(vpn); n++; }
    }
    return n;
  }

  /** xa_erase() */
  erase(vpn: number): void {
    const e = this.pt.get(vpn);
    if (!e) return;
    this.pt.delete(vpn);
    this.note(vpn, e.pfn);
  }

  /** xa_store() */
  private store(vpn: number, e: DptEntry): void {
    this.pt.set(vpn, e);
    this.note(vpn, e.pfn);
  }

  /** Tells the invariant checker that an entry changed (it looks at touched frames). */
  private note(vpn: number, pfn: number): void {
    this.changed.push(vpn);
    this.k.check.frameTouched(pfn);
  }

  // ------------------------------------------------------------------ the fault loop

  /**
   * Faults [start, end) into the device page table, 64 pages at a time; the first error
   * ends it. Linux: dmirror_fault()
   */
  *fault(task: number, start: number, end: number, write: boolean): Op<KernelError | undefined> {
    for (let a = start; a < end; a += CHUNK_PAGES * PAGE_SIZE) {
      const err = yield* this.rangeFault(task, a, Math.min(end, a + CHUNK_PAGES * PAGE_SIZE), write);
      if (err) return err;
    }
    return undefined;
  }

  /**
   * The first half of the driver's fault loop, shared by faulting and snapshotting:
   * mmu_interval_read_begin, hmm_range_fault under the mm's mmap_lock, then the driver's
   * mutex taken (the caller checks read_retry under it and unlocks). 'again' when
   * hmm_range_fault saw a collision (-EBUSY). Steps: begin, snapshot, lock.
   * Linux: the shared head of dmirror_range_fault() and dmirror_range_snapshot()
   */
  private *walkLocked(task: number, sub: IntervalSub, start: number, end: number, flags: number):
    Op<{ seq: number; range: ReturnType<typeof hmmRangeInit> } | KernelError | 'again'> {
    const seq = yield* mmuIntervalReadBegin(sub);
    if (this.k.step('begin')) yield 'begin';
    const range = hmmRangeInit(this.mm, start, end, flags, { notifier: sub, seq }, this.dev);
    yield* downRead(this.mm.mmapLock, task);
    let r;
    try {
      r = yield* hmmRangeFault(this.k, task, range);
    } finally {
      this.mm.mmapLock.upRead(task);
    }
    if (this.k.step('snapshot')) yield 'snapshot';
    if (r === 'EBUSY') return 'again';
    if (r !== 0) return new KernelError(r, `hmm_range_fault: ${hmmErrorReason(r)}`);
    yield* mutexLock(this.mutex, task);
    if (this.k.step('lock')) yield 'lock';
    return { seq, range };
  }

  /**
   * One chunk: read_begin, hmm_range_fault under mmap_lock, then under the mutex
   * read_retry and store; a collision (or -EBUSY) starts over, at most
   * DMIRROR_MAX_RETRIES times (then -EBUSY, like the kernel's 1 s timeout).
   * Steps: begin, snapshot, lock, check, insert, unlock. Linux: dmirror_range_fault()
   */
  private *rangeFault(task: number, start: number, end: number, write: boolean): Op<KernelError | undefined> {
    const flags = HMM_PFN_REQ_FAULT | (write ? HMM_PFN_REQ_WRITE : 0);
    const limit = maxRetries((end - start) / PAGE_SIZE);
    for (let attempt = 0; ; attempt++) {
      if (attempt > limit) return new KernelError('EBUSY', `retried ${limit} times (HMM_RANGE_DEFAULT_TIMEOUT)`);
      const walked = yield* this.walkLocked(task, this.notifier, start, end, flags);
      if (walked === 'again') continue;
      if (walked instanceof KernelError) return walked;
      const { seq, range } = walked;
      if (mmuIntervalReadRetry(this.notifier, seq)) {
        this.mutex.unlock(task);
        if (this.k.step('check')) yield 'check';
        continue;
      }
      if (this.k.step('check')) yield 'check';
      // dmirror_do_fault(): store every page, tagged WRITE iff HMM_PFN_WRITE.
      for (let i = 0; i < range.hmmPfns.length; i++) {
        const p = range.hmmPfns[i]!;
        if ((p.flags & HMM_PFN_VALID) === 0 || (write && (p.flags & HMM_PFN_WRITE) === 0)) {
          this.mutex.unlock(task);
          return new KernelError('EFAULT', 'hmm_range_fault returned an unusable page');
        }
        this.store(Math.floor(start / PAGE_SIZE) + i, { pfn: p.pfn, write: (p.flags & HMM_PFN_WRITE) !== 0 });
      }
      if (this.k.step('insert')) yield 'insert';
      this.mutex.unlock(task);
      if (this.k.step('unlock')) yield 'unlock';
      return undefined;
    }
  }

  // ------------------------------------------------------------------ ioctls

  /**
   * HMM_DMIRROR_READ: copies each page through the device page table; at the first missing
   * entry, faults the whole rest in (one round, `faults++`) and goes on from there.
   * Linux: dmirror_read() → dmirror_do_read(), dmirror_fault()
   */
  *read(task: number, addr: number, npages: number): Op<(DmirrorCmd & { values: Value[] }) | KernelError> {
    const bad = this.prologue(addr, npages, true);
    if (bad) return bad;
    return yield* this.copyLoop(task, addr, npages, undefined);
  }

  /**
   * HMM_DMIRROR_WRITE: the same loop; an entry serves only if tagged WRITE, so the first
   * non-writable page starts a write fault (COW break, zero page replaced; EPERM without
   * VM_WRITE). Each system page written is marked dirty (folio_mark_dirty): the device
   * writes behind the CPU's PTEs, and a clean page (shmem mapped by a read fault) would
   * otherwise be dropped by reclaim with the write. test_hmm's dmirror_do_write() only
   * does memcpy_to_page(), so on a real kernel that write can be lost — a test-driver
   * quirk; mmspec models the intended behaviour (docs/dmirror.md §6). A device-private
   * page's data stay in device memory: nothing to mark.
   * Linux: dmirror_write() → dmirror_do_write(), dmirror_fault()
   */
  *write(task: number, addr: number, values: readonly Value[]): Op<DmirrorCmd | KernelError> {
    const bad = this.prologue(addr, values.length, true);
    if (bad) return bad;
    return yield* this.copyLoop(task, addr, values.length, values);
  }

  private *copyLoop(task: number, addr: number, npages: number, data: readonly Value[] | undefined): Op<(DmirrorCmd & { values: Value[] }) | KernelError> {
    const write = data !== undefined;
    const end = addr + npages * PAGE_SIZE;
    const values: Value[] = [];
    let start = addr, cpages = 0, faults = 0;
    for (;;) {
      yield* mutexLock(this.mutex, task);
      let missing = false;
      for (let a = start; a < end; a += PAGE_SIZE) {
        const e = this.pt.get(Math.floor(a / PAGE_SIZE));
        if (!e || (write && !e.write)) { missing = true; break; }
        if (write) {
          this.k.mem.value[e.pfn] = data[cpages]!;
          if (!this.k.mem.has(e.pfn, PG_DEVICE_PRIVATE)) folioMarkDirty(this.k, e.pfn);
        }
        else values.push(this.k.mem.value[e.pfn] ?? 0);
        cpages++;
      }
      this.mutex.unlock(task);
      if (!missing) break;
      start = addr + cpages * PAGE_SIZE;
      const err = yield* this.fault(task, start, end, write);
      if (err) return err;
      faults++;
    }
    return { cpages, faults, values };
  }

  /**
   * HMM_DMIRROR_SNAPSHOT: per 64-page chunk, a temporary interval notifier and the fault
   * loop without faulting; one PERM per page. Linux: dmirror_snapshot() →
   * dmirror_range_snapshot(), dmirror_mkentry()
   */
  *snapshot(task: number, addr: number, npages: number): Op<(DmirrorCmd & { perms: DmirrorPerm[] }) | KernelError> {
    const bad = this.prologue(addr, npages, false);
    if (bad) return bad;
    const end = addr + npages * PAGE_SIZE;
    const perms: DmirrorPerm[] = [];
    for (let a = addr; a < end; a += CHUNK_PAGES * PAGE_SIZE) {
      const cend = Math.min(end, a + CHUNK_PAGES * PAGE_SIZE);
      const self = this;
      const sub = new IntervalSub(this.mm, a, cend, {
        name: `${this.label} snapshot`,
        invalidate: function* (s, range, seq) {
          yield* mutexLock(self.mutex, range.task);
          mmuIntervalSetSeq(s, seq);
          self.mutex.unlock(range.task);
          return true;
        },
      }, this.dev);
      mmuIntervalNotifierInsert(sub);
      try {
        const r = yield* this.snapshotChunk(task, sub, a, cend);
        if (r instanceof KernelError) return r;
        perms.push(...r);
      } finally {
        mmuIntervalNotifierRemove(sub);
      }
    }
    return { cpages: npages, faults: 0, perms };
  }

  private *snapshotChunk(task: number, sub: IntervalSub, start: number, end: number): Op<DmirrorPerm[] | KernelError> {
    const limit = maxRetries((end - start) / PAGE_SIZE);
    for (let attempt = 0; ; attempt++) {
      if (attempt > limit) return new KernelError('EBUSY', `retried ${limit} times (HMM_RANGE_DEFAULT_TIMEOUT)`);
      const walked = yield* this.walkLocked(task, sub, start, end, 0);
      if (walked === 'again') continue;
      if (walked instanceof KernelError) return walked;
      const { seq, range } = walked;
      const retry = mmuIntervalReadRetry(sub, seq);
      this.mutex.unlock(task);
      if (this.k.step('check')) yield 'check';
      if (retry) continue;
      return range.hmmPfns.map((p) => mkentry(this.k, p.pfn, p.flags));
    }
  }

  /**
   * HMM_DMIRROR_MIGRATE_TO_DEV: per VMA piece (64 pages at most) migrate_vma_setup with
   * this device as owner, allocate and copy device pages, migrate_vma_pages, store the
   * migrated pages in this mirror's page table, migrate_vma_finalize; then read the whole
   * range back from the page table: a page without an entry fails the command (ENOENT).
   * Linux: dmirror_migrate_to_device(), dmirror_migrate_alloc_and_copy(),
   * dmirror_migrate_finalize_and_map()
   */
  *migrate(task: number, addr: number, npages: number): Op<(DmirrorCmd & { values: Value[] }) | KernelError> {
    const bad = this.prologue(addr, npages, false);
    if (bad) return bad;
    const k = this.k, mm = this.mm, end = addr + npages * PAGE_SIZE;
    yield* downRead(mm.mmapLock, task);
    try {
      for (let a = addr; a < end;) {
        const vma = mm.findVma(a);
        if (!vma || !vma.has(VM_READ)) {
          return new KernelError('EINVAL', vma ? 'a VMA of the range has no VM_READ' : 'no VMA covers the range');
        }
        const next = Math.min(end, vma.end, a + CHUNK_PAGES * PAGE_SIZE);
        const m = yield* migrateVmaSetup(k, task, vma, a, next, this.dev, 'system');
        // The pieces before this VMA stay migrated; the command fails without its read-back.
        if (m instanceof KernelError) return m;
        for (const s of m.src) if (s.migrate) this.migrating.add(Math.floor(s.addr / PAGE_SIZE));
        for (let i = 0; i < m.src.length; i++) {
          const s = m.src[i]!;
          if (!s.migrate) continue;
          const value = s.pfn !== undefined ? (k.mem.value[s.pfn] ?? 0) : 0;
          const dpage = yield* allocDevicePrivatePage(k, this.dev, value, task);
          if (dpage === undefined) continue;
          this.dev.calloc++;
          this.dev.migratedBy.set(dpage, this);
          if (s.pfn !== undefined) k.emit({ e: 'copy', from: s.pfn, to: dpage, why: 'migrate to device' });
          m.dst[i] = { pfn: dpage, write: s.write || (s.pfn === undefined && vma.has(VM_WRITE)) };
        }
        if (this.k.step('copy')) yield 'copy';
        yield* migrateVmaPages(k, m);
        yield* mutexLock(this.mutex, task);
        for (let i = 0; i < m.src.length; i++) {
          const s = m.src[i]!, d = m.dst[i];
          const vpn = Math.floor(s.addr / PAGE_SIZE);
          if (this.migrating.delete(vpn)) this.changed.push(vpn);
          if (s.migrate && d) this.store(vpn, { pfn: d.pfn, write: d.write });
        }
        this.mutex.unlock(task);
        if (this.k.step('insert')) yield 'insert';
        yield* migrateVmaFinalize(k, m);
        a = next;
      }
    } finally {
      mm.mmapLock.upRead(task);
    }
    // dmirror_do_read() of the whole range into the user buffer.
    const values: Value[] = [];
    yield* mutexLock(this.mutex, task);
    try {
      for (let a = addr; a < end; a += PAGE_SIZE) {
        const e = this.pt.get(Math.floor(a / PAGE_SIZE));
        if (!e) return new KernelError('ENOENT', `no device page-table entry for 0x${a.toString(16)} after the migration`);
        values.push(k.mem.value[e.pfn] ?? 0);
      }
    } finally {
      this.mutex.unlock(task);
    }
    return { cpages: npages, faults: 0, values };
  }

  /**
   * The ioctl prologue: page-aligned address, npages ≥ 1 without wrapping, and the
   * opener's mm still alive (mmget_not_zero). mmspec answers READ/WRITE on a dead mm with
   * EINVAL too, where the kernel would loop (docs/dmirror.md §1).
   */
  private prologue(addr: number, npages: number, rw: boolean): KernelError | undefined {
    void rw;
    if (addr % PAGE_SIZE !== 0) return new KernelError('EINVAL', 'address not page aligned');
    if (npages <= 0 || addr + npages * PAGE_SIZE > TASK_SIZE) return new KernelError('EINVAL', 'npages is 0 or the range wraps');
    if (this.mm.dead || this.closed) return new KernelError('EINVAL', 'the mirrored mm is gone');
    return undefined;
  }
}

function hmmErrorReason(e: string): string {
  switch (e) {
    case 'EFAULT': return 'a page lies in no VMA, in an unreadable VMA, or could not be faulted';
    case 'EPERM': return 'write requested in a VMA without VM_WRITE';
    default: return e;
  }
}

/**
 * The snapshot byte of one page, by name: `error`, `none`, or kind+access+size joined
 * by `+` (`zero+read`, `dev-local+write`, `write+pmd`). Linux: dmirror_mkentry()
 */
export function mkentry(k: Kernel, pfn: number, flags: number): DmirrorPerm {
  if ((flags & HMM_PFN_ERROR) !== 0) return 'error';
  if ((flags & HMM_PFN_VALID) === 0) return 'none';
  const parts: string[] = [];
  if (k.mem.has(pfn, PG_DEVICE_PRIVATE)) parts.push('dev-local');
  else if (pfn === ZERO_PFN) parts.push('zero');
  parts.push((flags & HMM_PFN_WRITE) !== 0 ? 'write' : 'read');
  if ((flags & HMM_PFN_PMD) !== 0) parts.push('pmd');
  return parts.join('+');
}

/** Linux: dmirror_fops_open() — a mirror of the opener's mm, notifier over all of it. */
export function dmirrorOpen(k: Kernel, mm: Mm, label: string): Dmirror {
  const dev = dmirrorDevice(k);
  const d = new Dmirror(k, dev, mm, label);
  mmuIntervalNotifierInsert(d.notifier);
  dev.mirrors.add(d);
  return d;
}

/** Linux: dmirror_fops_release() — notifier removed, page table dropped; device pages stay. */
export function dmirrorClose(d: Dmirror): void {
  if (d.closed) return;
  d.closed = true;
  mmuIntervalNotifierRemove(d.notifier);
  for (const vpn of [...d.pt.keys()]) d.erase(vpn);
  d.dev.mirrors.delete(d);
  for (const [pfn, owner] of d.dev.migratedBy) if (owner === d) d.dev.migratedBy.delete(pfn);
}

/**
 * Invariant 3 of kernel-model.md §9 for dmirror page tables: every entry maps the page the
 * CPU maps at that address now (a present PTE or a device-private entry of that page), and
 * is WRITE only if the CPU's is writable. Checked for the entries and PTEs a step touched.
 */
function coherenceHook(dev: DmirrorDevice): InvariantHook {
  return {
    name: 'dmirror coherence',
    check(k: Kernel, touched: readonly TouchedPte[]) {
      const examined: string[] = [];
      const broken: Violation[] = [];
      for (const d of dev.mirrors) {
        const vpns = new Set<number>(d.changed);
        d.changed = [];
        for (const t of touched) if (t.mm === d.mm) vpns.add(Math.floor(t.addr / PAGE_SIZE));
        for (const vpn of vpns) {
          const key = `dmirror:${d.label}:${vpn}`;
          examined.push(key);
          const e = d.pt.get(vpn);
          if (!e) continue;
          const addr = vpn * PAGE_SIZE;
          const pte = d.mm.pte(addr);
          const kind = pte.bits & PTE_KIND_MASK;
          // Under migration (migrate_vma between pages() and finalize): the device may
          // already hold the destination; the CPU's entry is judged once it is remapped.
          if (kind === PTE_MIGRATION) { d.changed.push(vpn); continue; }
          // Its own migration to the device: the MIGRATE invalidation it owns skipped this mirror
          // (dmirror_interval_invalidate), and dmirror_migrate_finalize_and_map() stores the new
          // page after migrate_vma_pages() has mapped it (at once, for a pte_none or zero page).
          if (d.migrating.has(vpn)) { d.changed.push(vpn); continue; }
          const mapped = (kind === PTE_PRESENT && (pte.bits & PTE_PROTNONE) === 0) || kind === PTE_DEVICE;
          const where = `${d.label} entry for 0x${addr.toString(16)} of mm ${d.mm.id}`;
          if (!mapped || pte.pfn !== e.pfn || (e.pfn !== ZERO_PFN && !k.mem.isAllocated(e.pfn))) {
            broken.push({ kind: 'stale-mirror', key, detail: `${where} holds pfn ${e.pfn}, but the CPU ${mapped ? `maps pfn ${pte.pfn}` : 'maps nothing there'}${e.pfn !== ZERO_PFN && !k.mem.isAllocated(e.pfn) ? ' (the page is free)' : ''}` });
          } else if (e.write && (pte.bits & PTE_WRITE) === 0) {
            broken.push({ kind: 'mirror-perm', key, detail: `${where} is WRITE, but the CPU's entry is read-only` });
          }
        }
      }
      return { examined, broken };
    },
  };
}
