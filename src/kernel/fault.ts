import type { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import {
  VM_READ, VM_WRITE, VM_SHARED, VM_EXEC, VM_PFNMAP, VM_MIXEDMAP, type Vma, type VmFault, type FaultRequest,
} from './vma.js';
import {
  isPresent, PTE_PRESENT, PTE_WRITE, PTE_DIRTY, PTE_YOUNG, PTE_SPECIAL, PTE_PROTNONE, PTE_KIND_MASK,
  PTE_SWAP, PTE_MIGRATION, PTE_DEVICE, PTE_EXCLUSIVE, PMD_HUGE, PTE_EXEC, type PteValue,
} from './pte.js';
import { PageTable } from './pagetable.js';
import { ZERO_PFN, PG_ANON, PG_ANON_EXCLUSIVE, PG_KSM, PG_SWAPCACHE, PG_DIRTY, PG_REFERENCED, PG_LOCKED } from './frames.js';
import { anonVmaPrepare, pageAddNewAnonRmap, pageDupRmap, pageRemoveRmap } from './rmap.js';
import { lruAdd } from './lru.js';
import { mmuNotifierInvalidateRangeStart, mmuNotifierInvalidateRangeEnd, type NotifierRange } from './notifier.js';
import { downRead } from './locks.js';
import { filemapGetPage } from './filemap.js';
import { swapInPage, swapFree, freeSwapCache, swapReadIn } from './swap_state.js';
import { thpFaultEligible, doHugePmdAnonymousPage, doHugePmdWpPage } from './huge.js';
import { migrateToRam } from './device.js';
import { pagefaultOutOfMemory } from './oom.js';
import { PAGE_SIZE, type Op, type Signal, type Value, type Wait, assertNever } from './types.js';

/** How a fault ended: handled (the access retries), or a signal for the task. */
export type FaultOutcome =
  | { readonly kind: 'done' }
  | { readonly kind: 'signal'; readonly sig: Signal; readonly reason: string }
  /** VM_FAULT_OOM: no frame even after direct reclaim; the arch fault handler runs the OOM killer. */
  | { readonly kind: 'oom' }
  /**
   * VM_FAULT_RETRY: the fault needs a lock someone holds (a page lock); the caller drops
   * mmap_lock, waits for `wait`, and faults again.
   */
  | { readonly kind: 'retry'; readonly wait: Wait };

const DONE: FaultOutcome = Object.freeze({ kind: 'done' });
const sig = (s: Signal, reason: string): FaultOutcome => ({ kind: 'signal', sig: s, reason });

/** The PTE protection bits a VMA gives a page (vm_get_page_prot), writable only if asked. */
export function pteProtBits(vma: Vma, writable: boolean): number {
  let b = PTE_PRESENT;
  if (writable && vma.has(VM_WRITE)) b |= PTE_WRITE;
  if (vma.has(VM_EXEC)) b |= PTE_EXEC;
  if (!vma.has(VM_READ | VM_WRITE | VM_EXEC)) b |= PTE_PROTNONE;
  return b;
}

/** Whether the VMA permits the access at all (access_error() in arch/x86/mm/fault.c). */
export function accessError(vma: Vma, write: boolean): string | undefined {
  if (write) return vma.has(VM_WRITE) ? undefined : 'write to a VMA without VM_WRITE';
  return vma.has(VM_READ | VM_EXEC | VM_WRITE) ? undefined : 'read of a VMA without VM_READ (PROT_NONE)';
}

/** Whether a present PTE lets the access through without a fault (the MMU's view). */
function pteAllows(pte: PteValue, write: boolean): boolean {
  if (!isPresent(pte.bits) || (pte.bits & PTE_PROTNONE) !== 0) return false;
  return !write || (pte.bits & PTE_WRITE) !== 0;
}

export interface AccessResult {
  readonly value?: Value;
  readonly signal?: { readonly sig: Signal; readonly reason: string };
}

/**
 * A user load or store of one page: the MMU walk, and on a miss the page-fault path
 * (exc_page_fault → do_user_addr_fault → handle_mm_fault), then the access itself.
 * Steps: `fault` after each handled fault; the load/store itself ends the operation.
 * Linux: arch/x86/mm/fault.c do_user_addr_fault()
 */
export function* userAccess(k: Kernel, task: number, mm: Mm, addr: number, write: boolean, value?: Value): Op<AccessResult> {
  for (let attempt = 0; ; attempt++) {
    // An OOM victim never gets back to user space (killed before this access, or while a
    // fault of it was being handled): the access never happens. Linux: fatal_signal_pending()
    // on the fault's retry path and in exit_to_user_mode_loop() → do_exit()
    if (mm.oomKilled) return oomKilledAccess(k, mm, addr);
    // Read into a shared scratch: used only until accessPage returns, with no yield between.
    const pte = mm.pteInto(addr, accessScratch);
    if (pteAllows(pte, write)) {
      const vma = mm.findVma(addr);
      if (vma && !accessError(vma, write)) return accessPage(k, mm, addr, pte, write, value);
    }
    if (attempt > 64) {
      // Linux retries such a fault for ever (a fault handler that returns VM_FAULT_NOPAGE
      // without changing the PTE: insert_pfn() refusing an mkwrite over another pfn;
      // an orphaned migration entry of the anonymous mirror design).
      // mmspec stops after 64 rounds: a livelock violation, and SIGBUS so that the run goes on.
      const reason = 'the fault makes no progress (Linux would retry it for ever)';
      const key = `fault-livelock:${mm.id}:${addr}`;
      k.check.raise({ kind: 'livelock', key, detail: `${reason}: mm ${mm.id} at 0x${addr.toString(16)}` });
      k.check.resolve(key);
      k.emit({ e: 'signal', mm: mm.id, addr, sig: 'SIGBUS', reason });
      return { signal: { sig: 'SIGBUS', reason } };
    }
    if (!mm.mmapLock.tryRead(task)) yield* downRead(mm.mmapLock, task);
    const vma = mm.findVma(addr);
    let out: FaultOutcome;
    if (!vma) {
      out = sig('SIGSEGV', 'no VMA at this address');
    } else {
      const err = accessError(vma, write);
      out = err ? sig('SIGSEGV', err) : (faultFast(k, vma, addr, write) ?? (yield* handleMmFault(k, task, vma, addr, write)));
    }
    mm.mmapLock.upRead(task);
    if (out.kind === 'retry') {
      // Linux: do_user_addr_fault() on VM_FAULT_RETRY: mmap_lock is already dropped; the
      // fault starts over once the lock it slept on is free.
      if (!out.wait.ready()) yield out.wait;
      continue;
    }
    if (out.kind === 'oom') {
      // Linux 6.12: the allocator itself OOM-kills when direct reclaim frees nothing
      // (__alloc_pages_may_oom() → out_of_memory()) and retries; the allocation fails only
      // when the victim is the allocating task, whose fault then returns VM_FAULT_OOM and
      // pagefault_out_of_memory() sees the fatal signal: the task dies of SIGKILL. mmspec
      // runs that kill here, once the fault has dropped mmap_lock, then retries the fault;
      // if this task was the victim the retry ends in SIGKILL (above). Never SIGBUS: every
      // live process is a candidate, this one included, so "nobody to kill" means this
      // process was killed already.
      yield* pagefaultOutOfMemory(k, task);
      continue;
    }
    // A fatal signal pending beats the fault's own signal (a mirror's SIGBUS when the OOM
    // kill in its hmm fault took this very task).
    if (out.kind === 'signal' && mm.oomKilled) return oomKilledAccess(k, mm, addr);
    if (out.kind === 'signal') {
      k.emit({ e: 'signal', mm: mm.id, addr, sig: out.sig, reason: out.reason });
      return { signal: out };
    }
    if (k.step('fault')) yield 'fault';
  }
}

/** The end of an OOM victim's access: SIGKILL, the access not made. */
function oomKilledAccess(k: Kernel, mm: Mm, addr: number): AccessResult {
  const reason = 'killed by the OOM killer';
  k.emit({ e: 'signal', mm: mm.id, addr, sig: 'SIGKILL', reason });
  return { signal: { sig: 'SIGKILL', reason } };
}

/** userAccess's read of the PTE (no allocation per access). */
const accessScratch = { pfn: 0, bits: 0 };

/** The access itself: hardware sets the accessed (and dirty) bits; no event for those. */
function accessPage(k: Kernel, mm: Mm, addr: number, pte: PteValue, write: boolean, value?: Value): AccessResult {
  setHardwareBits(mm, addr, pte, write);
  const pfn = pte.pfn;
  if (write) {
    k.mem.value[pfn] = value ?? 0;
    if (k.tracing) k.emit({ e: 'access', mm: mm.id, addr, op: 'write', value: value ?? 0 });
    return { value };
  }
  const v = k.mem.value[pfn] ?? 0;
  if (k.tracing) k.emit({ e: 'access', mm: mm.id, addr, op: 'read', value: v });
  return { value: v };
}

/** The MMU's accessed/dirty bit update: not a software PTE change, so no event. */
function setHardwareBits(mm: Mm, addr: number, pte: PteValue, write: boolean): void {
  const add = PTE_YOUNG | (write ? PTE_DIRTY : 0);
  if ((pte.bits & add) === add) return;
  if ((pte.bits & PMD_HUGE) !== 0) {
    const pmd = mm.pt.pmdPage(addr, false)!;
    pmd.hugeBits[PageTable.pmdIndex(addr)]! |= add;
    return;
  }
  const page = mm.pt.ptePage(addr, false)!;
  page.bits[PageTable.pteIndex(addr)]! |= add;
}

/**
 * Resolves one fault at `addr` in `vma`. Caller holds mmap_lock for read.
 * Returns `done` when the access should be retried.
 * Linux: handle_mm_fault() → __handle_mm_fault() → handle_pte_fault()
 */
export function* handleMmFault(k: Kernel, task: number, vma: Vma, addr: number, write: boolean): Op<FaultOutcome> {
  const mm = vma.mm;
  addr = addr - (addr % PAGE_SIZE);
  const pte = mm.pte(addr);
  if ((pte.bits & PMD_HUGE) !== 0) return yield* doHugePmdWpPage(k, task, vma, addr, pte, write);
  const kind = pte.bits & PTE_KIND_MASK;
  switch (kind) {
    case 0: {
      if (vma.ops) return yield* doDriverFault(k, task, vma, addr, write, false, 'fault');
      // The OOM reaper tore part of this mm down (MMF_UNSTABLE): a new page would be mapped
      // into memory being reaped. Linux: do_anonymous_page(), finish_fault() →
      // check_stable_address_space()
      if (mm.oomReaped) return sig('SIGBUS', 'the OOM reaper reaped this mm (check_stable_address_space)');
      if (vma.file) return yield* doFileFault(k, task, vma, addr, write);
      if (thpFaultEligible(vma, addr)) {
        const r = yield* doHugePmdAnonymousPage(k, task, vma, addr, write);
        if (r !== 'fallback') return r;
      }
      return yield* doAnonymousPage(k, task, vma, addr, write);
    }
    case PTE_SWAP:
      return swapFaultFast(k, vma, addr, pte, write) ?? (yield* doSwapPage(k, task, vma, addr, pte, write));
    case PTE_MIGRATION:
      yield* migrationEntryWait(k, mm, addr);
      return DONE;
    case PTE_DEVICE:
      return yield* migrateToRam(k, task, vma, addr, pte);
    case PTE_PRESENT: {
      if ((pte.bits & PTE_PROTNONE) !== 0 && vma.has(VM_READ | VM_WRITE | VM_EXEC)) return doNumaPage(k, vma, addr, pte, write);
      if (write && (pte.bits & PTE_WRITE) === 0) return yield* doWpPage(k, task, vma, addr, pte);
      // Spurious fault: another thread fixed it already.
      return DONE;
    }
    default:
      return sig('SIGBUS', `unknown PTE kind ${kind}`);
  }
}

/**
 * First touch of an anonymous page: a read maps the shared zero page (special,
 * read-only); a write gets a fresh zeroed frame, writable and dirty. No notifier.
 * Linux: do_anonymous_page()
 */
function* doAnonymousPage(k: Kernel, task: number, vma: Vma, addr: number, write: boolean): Op<FaultOutcome> {
  const mm = vma.mm;
  if (!write) return mapZeroPage(k, vma, addr);
  anonVmaPrepare(k, vma);
  if (k.tracing) k.emit({ e: 'fault', mm: mm.id, addr, access: 'write', how: 'do_anonymous_page' });
  const pfn = k.tryAllocPage(0, 'anon') ?? (yield* k.allocPage(0, 'anon', task));
  if (pfn === undefined) return oom(k, mm, addr);
  return mapNewAnonPage(k, vma, addr, pfn);
}

/** do_anonymous_page() for a read: the zero page, special and read-only. */
function mapZeroPage(k: Kernel, vma: Vma, addr: number): FaultOutcome {
  if (k.tracing) k.emit({ e: 'fault', mm: vma.mm.id, addr, access: 'read', how: 'do_anonymous_page: zero page' });
  k.setPte(vma.mm, addr, ZERO_PFN, (pteProtBits(vma, false) | PTE_SPECIAL | PTE_YOUNG) & ~PTE_WRITE);
  return DONE;
}

/** do_anonymous_page() for a write, once it has its frame: rmap, LRU, a writable dirty PTE. */
function mapNewAnonPage(k: Kernel, vma: Vma, addr: number, pfn: number): FaultOutcome {
  pageAddNewAnonRmap(k, pfn, vma, addr);
  lruAdd(k, pfn);
  k.setPte(vma.mm, addr, pfn, pteProtBits(vma, true) | PTE_DIRTY | PTE_YOUNG);
  return DONE;
}

/**
 * The first touch of a plain anonymous page when a frame is free: handle_mm_fault's most
 * common case, resolved without the generator machinery (nothing in it can block). Returns
 * undefined when the fault needs the general path. Same events, same result as it.
 */
function faultFast(k: Kernel, vma: Vma, addr: number, write: boolean): FaultOutcome | undefined {
  if (vma.ops || vma.file || addr % PAGE_SIZE !== 0 || vma.mm.oomReaped) return undefined;
  if (vma.mm.hugePmdBits(addr) !== 0) return undefined;
  const bits = vma.mm.pt.readBits(addr);
  if ((bits & PTE_KIND_MASK) === PTE_SWAP) return swapFaultFast(k, vma, addr, { pfn: vma.mm.pt.readPfn(addr), bits }, write);
  if (bits !== 0 || thpFaultEligible(vma, addr)) return undefined;
  if (!write) return mapZeroPage(k, vma, addr);
  if (k.mem.free === 0) return undefined;
  anonVmaPrepare(k, vma);
  if (k.tracing) k.emit({ e: 'fault', mm: vma.mm.id, addr, access: 'write', how: 'do_anonymous_page' });
  const pfn = k.tryAllocPage(0, 'anon')!;
  return mapNewAnonPage(k, vma, addr, pfn);
}

const OOM: FaultOutcome = Object.freeze({ kind: 'oom' });
function oom(k: Kernel, mm: Mm, addr: number): FaultOutcome {
  void k; void mm; void addr;
  return OOM;
}

/**
 * A write to a present read-only PTE. Linux: do_wp_page()
 *  - no struct page (special PTE) in a shared writable VMA: wp_pfn_shared()
 *  - zero page, or an anonymous page others may see (not exclusive, KSM): wp_page_copy()
 *  - an exclusive anonymous page: wp_page_reuse()
 *  - a shared file page: wp_page_shared(); a private file page: wp_page_copy()
 */
function* doWpPage(k: Kernel, task: number, vma: Vma, addr: number, pte: PteValue): Op<FaultOutcome> {
  const m = k.mem;
  const special = (pte.bits & PTE_SPECIAL) !== 0;
  const shared = vma.has(VM_SHARED);
  // vm_normal_page() is NULL for every special PTE, the zero page included.
  if (special && (pte.pfn !== ZERO_PFN || shared)) {
    if (shared && vma.has(VM_WRITE)) {
      if (vma.ops?.pfnMkwrite) return yield* doDriverFault(k, task, vma, addr, true, true, 'pfn_mkwrite');
      k.emit({ e: 'fault', mm: vma.mm.id, addr, access: 'write', how: 'wp_pfn_shared: made writable (no pfn_mkwrite)' });
      k.setPte(vma.mm, addr, pte.pfn, pte.bits | PTE_WRITE | PTE_DIRTY | PTE_YOUNG);
      return DONE;
    }
    return yield* wpPageCopy(k, task, vma, addr, pte);
  }
  if (pte.pfn === ZERO_PFN) return yield* wpPageCopy(k, task, vma, addr, pte);
  const pfn = pte.pfn;
  if (m.has(pfn, PG_ANON)) {
    if (wpCanReuseAnonPage(k, pfn)) {
      k.emit({ e: 'fault', mm: vma.mm.id, addr, access: 'write', how: 'wp_page_reuse' });
      m.set(pfn, PG_ANON_EXCLUSIVE);
      k.setPte(vma.mm, addr, pfn, pte.bits | PTE_WRITE | PTE_DIRTY | PTE_YOUNG);
      return DONE;
    }
    return yield* wpPageCopy(k, task, vma, addr, pte);
  }
  if (shared) {
    k.emit({ e: 'fault', mm: vma.mm.id, addr, access: 'write', how: 'wp_page_shared' });
    m.set(pfn, PG_DIRTY);
    k.setPte(vma.mm, addr, pfn, pte.bits | PTE_WRITE | PTE_DIRTY | PTE_YOUNG);
    return DONE;
  }
  return yield* wpPageCopy(k, task, vma, addr, pte);
}

/**
 * May a write reuse this anonymous page in place? Exclusive pages yes; otherwise only
 * when ours is the only reference (refcount 1, not KSM). Linux: wp_can_reuse_anon_folio()
 */
function wpCanReuseAnonPage(k: Kernel, pfn: number): boolean {
  const m = k.mem;
  if (m.has(pfn, PG_KSM)) return false;
  if (m.has(pfn, PG_ANON_EXCLUSIVE)) return true;
  const swapcache = m.has(pfn, PG_SWAPCACHE) ? 1 : 0;
  if (m.refcount[pfn]! > 1 + swapcache) return false;
  if (swapcache) freeSwapCache(k, pfn);
  return m.refcount[pfn] === 1;
}

/**
 * Copy-on-write: a new page with the old content replaces the shared one. Other
 * secondary MMUs are told (CLEAR, one page). Steps: start, clear, end.
 * The old page is held (a pin) from before the allocation to the end, as do_wp_page()'s
 * folio_get() holds it: direct reclaim during the allocation may unmap it (the PTE
 * becomes a swap entry and the copy is dropped, the fault retried) but cannot free it
 * and hand its frame back as the copy — reclaim finds the extra reference and keeps it
 * in the swap cache, where the retried fault finds it without I/O.
 * Linux: do_wp_page() → folio_get(); wp_page_copy() … folio_put(old_folio)
 */
export function* wpPageCopy(k: Kernel, task: number, vma: Vma, addr: number, old: PteValue): Op<FaultOutcome> {
  const mm = vma.mm;
  anonVmaPrepare(k, vma);
  const value = k.mem.value[old.pfn] ?? 0;
  k.emit({ e: 'fault', mm: mm.id, addr, access: 'write', how: old.pfn === ZERO_PFN ? 'wp_page_copy: zero page' : 'wp_page_copy' });
  const held = old.pfn !== ZERO_PFN && (old.bits & PTE_SPECIAL) === 0 && k.mem.isAllocated(old.pfn) ? old.pfn : undefined;
  if (held !== undefined) {
    k.mem.addPin(held, 1);
    k.check.frameTouched(held);
  }
  const out = yield* wpPageCopyHeld(k, task, vma, addr, old, value);
  if (held !== undefined) putHeldPage(k, held);
  return out;
}

/** wpPageCopy with the old page held. */
function* wpPageCopyHeld(k: Kernel, task: number, vma: Vma, addr: number, old: PteValue, value: Value): Op<FaultOutcome> {
  const mm = vma.mm;
  const pfn = yield* k.allocPage(value, 'anon (cow)', task);
  if (pfn === undefined) return oom(k, mm, addr);
  if (old.pfn !== ZERO_PFN) k.emit({ e: 'copy', from: old.pfn, to: pfn, why: 'cow' });
  const range: NotifierRange = { mm, start: addr, end: addr + PAGE_SIZE, event: 'CLEAR', blockable: true, task };
  yield* mmuNotifierInvalidateRangeStart(k, range);
  if (k.step('start')) yield 'start';
  const cur = mm.pte(addr);
  if (cur.pfn !== old.pfn || cur.bits !== old.bits) {
    // The PTE changed under us (another thread, or direct reclaim): drop the copy and retry the fault.
    k.putPage(pfn);
    yield* mmuNotifierInvalidateRangeEnd(k, range);
    return DONE;
  }
  pageAddNewAnonRmap(k, pfn, vma, addr);
  lruAdd(k, pfn);
  k.setPte(mm, addr, pfn, pteProtBits(vma, true) | PTE_DIRTY | PTE_YOUNG);
  if (old.pfn !== ZERO_PFN && (old.bits & PTE_SPECIAL) === 0) {
    pageRemoveRmap(k, old.pfn);
    k.putPage(old.pfn);
  }
  if (k.step('clear')) yield 'clear';
  yield* mmuNotifierInvalidateRangeEnd(k, range);
  if (k.step('end')) yield 'end';
  return DONE;
}

/** Drops a reference a fault held across a step (a pin), freeing the page if it was the last. Linux: folio_put() */
function putHeldPage(k: Kernel, pfn: number): void {
  k.mem.addPin(pfn, -1);
  k.check.frameTouched(pfn);
  if (k.mem.refcount[pfn] === 0) k.freePage(pfn);
}

/**
 * A swap entry: bring the page back (from the swap cache if it is there, else from the
 * slot), map it — read-only on a read fault, writable on a write to an exclusive page —
 * and free the slot (mmspec keeps no swap-cache page after swap-in). No notifier.
 * Linux: do_swap_page()
 */
function* doSwapPage(k: Kernel, task: number, vma: Vma, addr: number, pte: PteValue, write: boolean): Op<FaultOutcome> {
  const mm = vma.mm;
  const slot = pte.pfn;
  const cached = k.swap.cache.get(slot);
  if (cached !== undefined && k.mem.has(cached, PG_LOCKED)) return pageLockRetry(k, cached);
  const got = yield* swapInPage(k, task, slot);
  if (got === undefined) return oom(k, mm, addr);
  const cur = mm.pte(addr);
  if (cur.bits !== pte.bits || cur.pfn !== pte.pfn) return DONE;
  if (mapSwappedPage(k, vma, addr, pte, write, got.pfn, got.fresh)) return DONE;
  return yield* doWpPage(k, task, vma, addr, mm.pte(addr));
}

/**
 * The page a fault needs is locked — reclaim (from isolation to the free or put-back),
 * migration or writeback holds it: the fault sleeps until it is unlocked and starts over,
 * finding the page mapped again, still cached, or gone (then read back in).
 * Linux: do_swap_page() → folio_lock_or_retry(); filemap_fault() → lock_folio_maybe_drop_mmap()
 */
function pageLockRetry(k: Kernel, pfn: number): FaultOutcome {
  const m = k.mem;
  return { kind: 'retry', wait: { wait: `page lock of pfn ${pfn}`, ready: () => !m.has(pfn, PG_LOCKED), carries: pfn } };
}

/**
 * The swap fault's most common case — the slot's page is in the swap cache, or a frame is
 * free to read it into — as a plain function; undefined when the general path must run
 * (no free frame, or a write that needs a copy after swap-in). Same events and result.
 */
function swapFaultFast(k: Kernel, vma: Vma, addr: number, pte: PteValue, write: boolean): FaultOutcome | undefined {
  if (write && !((pte.bits & PTE_EXCLUSIVE) !== 0 && vma.has(VM_WRITE))) return undefined;
  const slot = pte.pfn;
  let pfn = k.swap.cache.get(slot);
  if (pfn !== undefined && k.mem.has(pfn, PG_LOCKED)) return undefined;
  const fresh = pfn === undefined;
  if (pfn === undefined) {
    if (k.mem.free === 0) return undefined;
    pfn = k.tryAllocPage(k.swap.content[slot] ?? 0, 'swapin')!;
    swapReadIn(k, slot, pfn);
  }
  mapSwappedPage(k, vma, addr, pte, write, pfn, fresh);
  return DONE;
}

/**
 * Maps the page of a swap entry: read-only on a read fault, writable on a write to an
 * exclusive page; the entry's slot use is dropped and the swap copy freed once unused.
 * Returns false when a write still needs do_wp_page (the page was not exclusive).
 */
function mapSwappedPage(k: Kernel, vma: Vma, addr: number, pte: PteValue, write: boolean, pfn: number, fresh: boolean): boolean {
  const mm = vma.mm;
  const slot = pte.pfn;
  if (k.tracing) k.emit({ e: 'fault', mm: mm.id, addr, access: write ? 'write' : 'read', how: 'do_swap_page' });
  const m = k.mem;
  const exclusive = (pte.bits & PTE_EXCLUSIVE) !== 0;
  anonVmaPrepare(k, vma);
  if (fresh) {
    // A page read back from its slot: a non-exclusive page is filed under the root
    // anon_vma so that every fork relative's rmap finds it. Linux: __folio_set_anon()
    const own = vma.anonVmas[0]!;
    let root = own;
    while (root.parent) root = root.parent;
    m.owner[pfn] = (exclusive ? own : root).id;
    m.index[pfn] = vma.linearIndex(addr);
    m.settle(pfn);
    m.mapcount[pfn]!++;
    k.check.frameTouched(pfn);
  } else {
    pageDupRmap(k, pfn);
  }
  if (exclusive) m.set(pfn, PG_ANON_EXCLUSIVE);
  const writable = write && exclusive && vma.has(VM_WRITE);
  k.setPte(mm, addr, pfn, pteProtBits(vma, writable) | PTE_YOUNG | (writable ? PTE_DIRTY : 0));
  swapFree(k, slot);
  freeSwapCache(k, pfn);
  return !write || writable;
}

/**
 * Sleeps until the migration of the entry's page is over: the entry is gone, or the page
 * is no longer held by a migration (an entry no rmap walk could find — the anonymous
 * mirror design's — outlives its migration; the fault then finds it again and again).
 * Linux: migration_entry_wait() → migration_entry_wait_on_locked()
 */
function* migrationEntryWait(k: Kernel, mm: Mm, addr: number): Op<void> {
  const isMigration = () => (mm.pte(addr).bits & PTE_KIND_MASK) === PTE_MIGRATION;
  const pfn = mm.pte(addr).pfn;
  const migrating = () => isMigration() && k.mem.pinCount(pfn) > 0;
  if (migrating()) yield { wait: `migration entry at 0x${addr.toString(16)}`, ready: () => !migrating() };
}

/**
 * A NUMA-hinting fault: restore the VMA's protection. mmspec has one node, so the page
 * is never moved (Linux would consider migrate_misplaced_folio()). Linux: do_numa_page()
 */
function doNumaPage(k: Kernel, vma: Vma, addr: number, pte: PteValue, write: boolean): FaultOutcome {
  const writable = (pte.bits & PTE_WRITE) !== 0 || false;
  k.emit({ e: 'fault', mm: vma.mm.id, addr, access: write ? 'write' : 'read', how: 'do_numa_page' });
  const bits = (pte.bits & ~PTE_PROTNONE) | PTE_YOUNG;
  k.setPte(vma.mm, addr, pte.pfn, writable ? bits : bits & ~PTE_WRITE);
  k.mem.set(pte.pfn, PG_REFERENCED);
  return DONE;
}

/**
 * A fault in a file mapping: the page-cache page is mapped (read-only in a private
 * mapping); a private write copies it to an anonymous page (do_cow_fault, no notifier:
 * the PTE was empty); a shared write maps it writable and dirty.
 * Linux: do_fault() → do_read_fault(), do_cow_fault(), do_shared_fault()
 */
function* doFileFault(k: Kernel, task: number, vma: Vma, addr: number, write: boolean): Op<FaultOutcome> {
  const mm = vma.mm;
  const file = vma.file!;
  const index = vma.linearIndex(addr);
  if (index >= file.pages) return sig('SIGBUS', `access beyond the end of file ${file.name}`);
  // A cached page that is locked (reclaim, migration or writeback holds it): sleep and retry.
  // Linux: filemap_fault() → lock_folio_maybe_drop_mmap() → VM_FAULT_RETRY
  const cached = file.cache.get(index);
  if (cached !== undefined && k.mem.has(cached, PG_LOCKED)) return pageLockRetry(k, cached);
  const shared = vma.has(VM_SHARED);
  if (write && !shared) return yield* doCowFault(k, task, vma, addr, index);
  const pfn = yield* filemapGetPage(k, task, file, index);
  if (pfn === undefined) return oom(k, mm, addr);
  k.emit({ e: 'fault', mm: mm.id, addr, access: write ? 'write' : 'read', how: write ? 'do_shared_fault' : 'do_read_fault' });
  pageDupRmap(k, pfn);
  if (write) k.mem.set(pfn, PG_DIRTY);
  // A shared writable mapping without write-notify (shmem) gets a writable PTE even on a
  // read fault: vm_page_prot is writable. A regular file is write-notified (dirty tracking),
  // so a read maps it read-only. Linux: vma_wants_writenotify(), finish_fault()
  const writable = shared && vma.has(VM_WRITE) && (write || file.shmem);
  k.setPte(mm, addr, pfn, pteProtBits(vma, writable) | PTE_YOUNG | (write && writable ? PTE_DIRTY : 0));
  return DONE;
}

/**
 * A private write to a file page not mapped yet: the anonymous copy is allocated first,
 * then the page-cache page is looked up (read in if needed) and copied. In this order
 * direct reclaim during the copy's allocation cannot drop the page-cache page that is
 * about to be copied (the fault holds no reference on it yet, and Linux takes none).
 * Linux: do_cow_fault() → folio_prealloc(), __do_fault(), copy_mc_user_highpage(), finish_fault()
 */
function* doCowFault(k: Kernel, task: number, vma: Vma, addr: number, index: number): Op<FaultOutcome> {
  const mm = vma.mm;
  anonVmaPrepare(k, vma);
  k.emit({ e: 'fault', mm: mm.id, addr, access: 'write', how: 'do_cow_fault' });
  const copy = yield* k.allocPage(0, 'anon (cow of file page)', task);
  if (copy === undefined) return oom(k, mm, addr);
  const pfn = yield* filemapGetPage(k, task, vma.file!, index);
  if (pfn === undefined) {
    k.putPage(copy);
    return oom(k, mm, addr);
  }
  k.mem.value[copy] = k.mem.value[pfn] ?? 0;
  k.emit({ e: 'copy', from: pfn, to: copy, why: 'cow' });
  pageAddNewAnonRmap(k, copy, vma, addr);
  lruAdd(k, copy);
  k.setPte(mm, addr, copy, pteProtBits(vma, true) | PTE_DIRTY | PTE_YOUNG);
  return DONE;
}

/**
 * A fault in a VMA with vm_ops: the driver decides (VM_FAULT_NOPAGE after inserting a
 * PTE itself, or VM_FAULT_SIGBUS). Linux: __do_fault() → vma->vm_ops->fault(),
 * wp_pfn_shared() → vma->vm_ops->pfn_mkwrite()
 */
function* doDriverFault(k: Kernel, task: number, vma: Vma, addr: number, write: boolean, wp: boolean, hook: 'fault' | 'pfn_mkwrite'): Op<FaultOutcome> {
  const req: FaultRequest = { mm: vma.mm, vma, addr: addr as FaultRequest['addr'], write, wp, task };
  k.emit({ e: 'fault', mm: vma.mm.id, addr, access: write ? 'write' : 'read', how: `${vma.ops!.name}: vm_ops->${hook}` });
  const r: VmFault = hook === 'fault' ? yield* vma.ops!.fault(req) : yield* vma.ops!.pfnMkwrite!(req);
  switch (r) {
    case 'nopage': case 'retry': return DONE;
    case 'sigbus': return sig('SIGBUS', `${vma.ops!.name} returned VM_FAULT_SIGBUS`);
    case 'oom': return sig('SIGBUS', `${vma.ops!.name} returned VM_FAULT_OOM`);
    default: return assertNever(r, 'doDriverFault');
  }
}

/** Whether a VMA is a PFNMAP/MIXEDMAP driver mapping (vm_normal_page() sees no pages). */
export const isPfnMapping = (vma: Vma): boolean => vma.has(VM_PFNMAP | VM_MIXEDMAP);
