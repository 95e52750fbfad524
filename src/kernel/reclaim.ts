import { splitHugePageOp } from './huge.js';
import { PageTable, type PtePage } from './pagetable.js';
import type { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import type { Vma } from './vma.js';
import { VM_EXEC } from './vma.js';
import {
  PG_ANON, PG_ANON_EXCLUSIVE, PG_DIRTY, PG_ISOLATED, PG_LAZYFREE, PG_LOCKED, PG_LRU, PG_REFERENCED,
  PG_SWAPBACKED, PG_SWAPCACHE, PG_ACTIVE, ZERO_PFN, PG_ALLOCATED, PG_HEAD, PG_TAIL,
} from './frames.js';
import { isPresent, PTE_DIRTY, PTE_EXCLUSIVE, PTE_SPECIAL, PTE_SWAP, PTE_YOUNG, PMD_HUGE } from './pte.js';
import { rmapWalk, rmapWalkOne, pageRemoveRmap, type RmapOne } from './rmap.js';
import { ACTIVE, INACTIVE, lruAdd, lruDel, lruDeactivate } from './lru.js';
import {
  mmuNotifierInvalidateRangeStart, mmuNotifierInvalidateRangeEnd, mmuNotifierClearFlushYoung,
  mmuNotifierInvalidateRangeStartNow, mmuNotifierInvalidateRangeEndNow, type NotifierRange,
} from './notifier.js';
import { addToSwapCache, deleteFromSwapCache } from './swap_state.js';
import { HPAGE_PMD_SIZE, PAGE_SIZE, Later, asSlot, bug, type Op } from './types.js';
import type { RmapHit } from './rmap.js';
import type { FileObj } from './file.js';

/**
 * Page reclaim: the LRU scan and the per-page path of mm/vmscan.c.
 *
 * Per page, as atomic steps:
 *
 *   isolate ── off the LRU, page locked, one reference (a pin) held while isolated
 *   (anon)     add_to_swap: a slot, the page in the swap cache (marked dirty)
 *   for each mapping rmap finds:
 *     start    CLEAR [addr, addr+4K) on that mm (callbacks run here)
 *     clear    PTE → swap entry (anon, EXCLUSIVE if the page was) or none (file);
 *              the PTE's dirty bit moves to the page; mapcount and reference dropped
 *     end
 *   swapout    anon: content to the slot; dirty file page: written to the file;
 *              shmem: to a swap slot that the file's mapping keeps
 *   free       out of the swap cache / page cache, the pin dropped, the frame freed
 *
 * A page that is still mapped (a notifier refused, a racing fault mapped it again) or
 * holds references nobody accounts for (a GUP pin) is put back on the LRU, not freed.
 *
 * mmspec's simplifications, each a documented choice:
 *  - writeback of a dirty file page is synchronous (Linux's pageout() starts I/O and
 *    frees the page on a later scan; direct reclaim leaves dirty file pages to kswapd);
 *  - THPs met by the LRU scan are skipped (rotated); a THP named by `reclaim RANGE` is split first;
 *  - one pair of LRU lists for anon and file pages, inactive_ratio 1.
 */

/** Pages isolated per batch. Linux: SWAP_CLUSTER_MAX */
export const SWAP_CLUSTER_MAX = 32;

/**
 * Takes a page off the LRU for reclaim: locked, one reference held. Pages that are not on
 * an LRU (already isolated, under migration, the zero page), locked, or part of a THP are
 * refused. Linux: folio_isolate_lru() + folio_trylock()
 */
export function isolateLruPage(k: Kernel, pfn: number): boolean {
  const m = k.mem;
  if (pfn === ZERO_PFN || pfn >= m.flags.length) return false;
  const flags = m.flags[pfn]!;
  if ((flags & PG_ALLOCATED) === 0 || (flags & PG_LRU) === 0) return false;
  if ((flags & (PG_ISOLATED | PG_LOCKED)) !== 0 || (flags & (PG_HEAD | PG_TAIL)) !== 0) return false;
  lruDel(k, pfn);
  m.set(pfn, PG_ISOLATED | PG_LOCKED);
  m.addPin(pfn, 1);
  k.check.frameTouched(pfn);
  return true;
}

/**
 * Puts an isolated page back: unlocked, the isolation reference dropped (freeing it if
 * that was the last), on the active or inactive list.
 * Linux: folio_putback_lru(); activate_locked / keep_locked in shrink_folio_list()
 */
export function putbackLruPage(k: Kernel, pfn: number, list: number): void {
  const m = k.mem;
  m.clear(pfn, PG_ISOLATED | PG_LOCKED);
  m.addPin(pfn, -1);
  k.check.frameTouched(pfn);
  if (m.refcount[pfn] === 0) {
    k.freePage(pfn);
    return;
  }
  lruAdd(k, pfn, list);
}

type PageKind = 'anon' | 'lazyfree' | 'shmem' | 'file' | 'other';

/** Which reclaim path a page takes: anon+swapbacked, MADV_FREE'd anon, shmem, file. */
function pageKind(k: Kernel, pfn: number): PageKind {
  const m = k.mem;
  if (m.has(pfn, PG_ANON)) return m.has(pfn, PG_SWAPBACKED) ? 'anon' : 'lazyfree';
  const f = fileOfPage(k, pfn);
  if (!f) return 'other';
  return f.shmem ? 'shmem' : 'file';
}

function fileOfPage(k: Kernel, pfn: number): FileObj | undefined {
  const owner = k.mem.owner[pfn]!;
  if (owner >= 0) return undefined;
  const f = k.files[-owner];
  return f && f.cache.get(k.mem.index[pfn]!) === pfn ? f : undefined;
}

/** folio_is_file_lru(): not swap-backed (file pages and lazyfree anon pages). */
const isFileLru = (k: Kernel, pfn: number): boolean => !k.mem.has(pfn, PG_SWAPBACKED);

type Refs = 'activate' | 'keep' | 'reclaim' | 'reclaim_clean';

/**
 * Ages a page: clears the young bit of every PTE mapping it (asking secondary MMUs too)
 * and counts the mappings that were young. Linux: folio_referenced() →
 * folio_referenced_one() → ptep_clear_flush_young_notify()
 */
export function pageReferenced(k: Kernel, pfn: number): { referenced: number; vmFlags: number } {
  let referenced = 0, vmFlags = 0;
  for (const { vma, addr } of rmapWalk(k, pfn)) {
    const pte = vma.mm.pte(addr);
    let young = false;
    if ((pte.bits & PTE_YOUNG) !== 0 && (pte.bits & PMD_HUGE) === 0) {
      k.setPte(vma.mm, addr, pte.pfn, pte.bits & ~PTE_YOUNG);
      young = true;
    }
    if (mmuNotifierClearFlushYoung(vma.mm, addr, addr + PAGE_SIZE)) young = true;
    if (young) {
      referenced++;
      vmFlags |= vma.flags;
    }
  }
  return { referenced, vmFlags };
}

/**
 * The second chance: a page whose PTEs were young is marked PG_referenced and kept on
 * the inactive list (rotated to its head) the first time; young again while marked (or
 * young in several mappings, or an executable file page) it is activated. An unreferenced
 * page is reclaimed, a file page that was only PG_referenced only if clean.
 * Linux: folio_check_references()
 */
function checkReferences(k: Kernel, pfn: number): Refs {
  const m = k.mem;
  const { referenced, vmFlags } = pageReferenced(k, pfn);
  const wasReferenced = m.has(pfn, PG_REFERENCED);
  m.clear(pfn, PG_REFERENCED);
  if (referenced > 0) {
    m.set(pfn, PG_REFERENCED);
    if (wasReferenced || referenced > 1) return 'activate';
    if ((vmFlags & VM_EXEC) !== 0 && isFileLru(k, pfn)) return 'activate';
    return 'keep';
  }
  if (wasReferenced && isFileLru(k, pfn)) return 'reclaim_clean';
  return 'reclaim';
}

/** Reads of a PTE on the reclaim path (no allocation per page); used before any other read. */
const scratch = { pfn: 0, bits: 0 };

/**
 * Unmaps one mapping of an isolated page (caller has started the invalidation).
 * Returns false when the page must stay mapped here (a lazyfree page was written again).
 * Linux: try_to_unmap_one()
 */
function tryToUnmapOne(k: Kernel, vma: Vma, addr: number, pfn: number): boolean {
  const m = k.mem, mm = vma.mm;
  const pte = mm.pteInto(addr, scratch);
  if (!isPresent(pte.bits) || (pte.bits & PTE_SPECIAL) !== 0 || pte.pfn !== pfn) return true;
  if ((pte.bits & PTE_DIRTY) !== 0) m.set(pfn, PG_DIRTY);
  const flags = m.flags[pfn]!;
  if ((flags & PG_ANON) !== 0) {
    if ((flags & PG_SWAPBACKED) === 0) {
      // MADV_FREE page: discard only when clean and nobody else holds it (isolation + PTEs).
      if ((flags & PG_DIRTY) !== 0 || m.refcount[pfn] !== 1 + m.mapcount[pfn]!) {
        m.set(pfn, PG_SWAPBACKED);
        m.clear(pfn, PG_LAZYFREE);
        if (k.config.trace) k.emit({ e: 'reclaim', pfn, result: 'lazyfree page was written again: swap-backed, stays mapped' });
        return false;
      }
      k.setPte(mm, addr, 0, 0);
    } else {
      const slot = m.swapOf.get(pfn);
      if (slot === undefined) bug(`tryToUnmapOne: anon pfn ${pfn} is not in the swap cache`);
      k.swap.dup(slot);
      let bits = PTE_SWAP;
      if ((flags & PG_ANON_EXCLUSIVE) !== 0) {
        // folio_try_share_anon_rmap_pte(): the exclusivity moves to the swap entry.
        bits |= PTE_EXCLUSIVE;
        m.clear(pfn, PG_ANON_EXCLUSIVE);
      }
      k.setPte(mm, addr, slot, bits);
    }
  } else {
    k.setPte(mm, addr, 0, 0);
  }
  pageRemoveRmap(k, pfn);
  k.putPage(pfn);
  return true;
}

/**
 * Unmaps every mapping rmap finds, each under its own CLEAR invalidation of one page.
 * Steps: start, clear, end per mapping. Linux: try_to_unmap() → rmap_walk()
 * (`hits`, `from`: the rest of a walk a fast path began, see tryToUnmapNow.)
 */
function* tryToUnmap(k: Kernel, task: number, pfn: number, hits: readonly RmapHit[] = rmapWalk(k, pfn), from = 0): Op<void> {
  for (let i = from; i < hits.length; i++) {
    const { vma, addr } = hits[i]!;
    const range: NotifierRange = { mm: vma.mm, start: addr, end: addr + PAGE_SIZE, event: 'CLEAR', blockable: true, task };
    if (!(yield* mmuNotifierInvalidateRangeStart(k, range))) return;
    if (k.step('start')) yield 'start';
    const ok = tryToUnmapOne(k, vma, addr, pfn);
    if (k.step('clear')) yield 'clear';
    yield* mmuNotifierInvalidateRangeEnd(k, range);
    if (k.step('end')) yield 'end';
    if (!ok) return;
  }
}

/**
 * A named step inside a fast path: only taken when the kernel is not stepping (a
 * sequential run), where k.step() checks the invariants and never asks for a yield.
 */
function stepNow(k: Kernel, name: string): void {
  if (k.step(name)) bug(`stepNow: ${name}: stepping turned on inside a reclaim fast path`);
}

/**
 * tryToUnmap as a plain function (the caller is not stepping): same events, same result.
 * The notifier calls are their plain forms; nothing else in it can block, and its steps
 * only check the invariants. When a subscriber's callback yields, the rest of the walk is
 * returned as a {@link Later}, resuming exactly where the general op would be.
 */
function tryToUnmapNow(k: Kernel, task: number, pfn: number): Later<void> | undefined {
  // The commonest case (an anonymous page of one VMA) walks without allocating.
  const n = rmapWalkOne(k, pfn, one);
  if (n === 0) return undefined;
  if (n === 1) {
    const vma = one.vma!, addr = one.addr;
    one.vma = undefined;
    const r = unmapHitNow(k, task, pfn, vma, addr, undefined, 0);
    return r === true || r === false ? undefined : r;
  }
  const hits = rmapWalk(k, pfn);
  for (let i = 0; i < hits.length; i++) {
    const { vma, addr } = hits[i]!;
    const r = unmapHitNow(k, task, pfn, vma, addr, hits, i);
    if (r !== true) return r === false ? undefined : r;
  }
  return undefined;
}

/** rmapWalkOne's answer (copied out at once: a callback may walk again). */
const one: RmapOne = { vma: undefined, addr: 0 };

/**
 * tryToUnmapNow's visit of hit `i` (`hits` undefined: the walk's only hit, `vma`/`addr`).
 * Returns true to go on with the next hit, false to stop, or the rest as a Later.
 */
function unmapHitNow(k: Kernel, task: number, pfn: number, vma: Vma, addr: number, hits: readonly RmapHit[] | undefined, i: number): boolean | Later<void> {
  const range: NotifierRange = { mm: vma.mm, start: addr, end: addr + PAGE_SIZE, event: 'CLEAR', blockable: true, task };
  const started = mmuNotifierInvalidateRangeStartNow(k, range);
  if (started instanceof Later) return new Later(unmapRestAfterStart(k, task, pfn, hits ?? [{ vma, addr }], i, range, started.op));
  if (!started) return false;
  stepNow(k, 'start');
  const ok = tryToUnmapOne(k, vma, addr, pfn);
  stepNow(k, 'clear');
  const ended = mmuNotifierInvalidateRangeEndNow(k, range);
  if (ended) return new Later(unmapRestAfterEnd(k, task, pfn, hits ?? [{ vma, addr }], i, ok, ended.op));
  stepNow(k, 'end');
  return ok;
}

/** tryToUnmap from inside the invalidate_range_start of hit `i` (`rest` finishes it). */
function* unmapRestAfterStart(k: Kernel, task: number, pfn: number, hits: readonly RmapHit[], i: number, range: NotifierRange, rest: Op<boolean>): Op<void> {
  if (!(yield* rest)) return;
  if (k.step('start')) yield 'start';
  const ok = tryToUnmapOne(k, hits[i]!.vma, hits[i]!.addr, pfn);
  if (k.step('clear')) yield 'clear';
  yield* unmapRestAfterEnd(k, task, pfn, hits, i, ok, mmuNotifierInvalidateRangeEnd(k, range));
}

/** tryToUnmap from inside the invalidate_range_end of hit `i` (`rest` finishes it). */
function* unmapRestAfterEnd(k: Kernel, task: number, pfn: number, hits: readonly RmapHit[], i: number, ok: boolean, rest: Op<void>): Op<void> {
  yield* rest;
  if (k.step('end')) yield 'end';
  if (!ok) return;
  yield* tryToUnmap(k, task, pfn, hits, i + 1);
}

/** The references an unmapped isolated page may hold and still be freed. Linux: __remove_mapping()'s freeze count */
function expectedRefs(k: Kernel, pfn: number): number {
  return 1 + (k.mem.has(pfn, PG_SWAPCACHE) ? 1 : 0) + (fileOfPage(k, pfn) ? 1 : 0);
}

/**
 * Reclaims one isolated page: swap slot, unmap, write out, free; or puts it back.
 * `ignoreReferences`: reclaim_pages() (MADV_PAGEOUT, `kernel: reclaim RANGE`) skips aging.
 * Returns whether the frame was freed. Linux: the loop body of shrink_folio_list()
 */
function* shrinkPage(k: Kernel, task: number, pfn: number, ignoreReferences: boolean): Op<boolean> {
  const refs: Refs = ignoreReferences ? 'reclaim' : checkReferences(k, pfn);
  const kind = prepareShrink(k, pfn, refs);
  if (kind === undefined) return false;
  if (k.mem.mapcount[pfn]! > 0) yield* tryToUnmap(k, task, pfn);
  return yield* shrinkUnmapped(k, pfn, refs, kind);
}

/**
 * shrinkPage as a plain function when the kernel is not stepping (a sequential run):
 * same events, same result. Aging, add_to_swap, the write-out and the freeing never
 * block; the unmap is tryToUnmapNow; the steps only check the invariants. A notifier
 * callback that yields makes the rest a {@link Later}; so does a stepping kernel (all of it).
 */
function shrinkPageNow(k: Kernel, task: number, pfn: number, ignoreReferences: boolean): boolean | Later<boolean> {
  if (k.stepping) return new Later(shrinkPage(k, task, pfn, ignoreReferences));
  const refs: Refs = ignoreReferences ? 'reclaim' : checkReferences(k, pfn);
  const kind = prepareShrink(k, pfn, refs);
  if (kind === undefined) return false;
  if (k.mem.mapcount[pfn]! > 0) {
    const rest = tryToUnmapNow(k, task, pfn);
    if (rest) return new Later(shrinkAfterUnmap(k, task, pfn, refs, kind, rest.op));
  }
  const out = writeOut(k, pfn, refs, kind);
  if (out === KEPT) return false;
  if (out !== CLEAN) stepNow(k, 'swapout');
  if (!freeReclaimed(k, pfn, kind, out >= 0 ? out : undefined)) return false;
  stepNow(k, 'free');
  return true;
}

/** shrinkPage from inside its unmap (`rest` finishes it). */
function* shrinkAfterUnmap(k: Kernel, task: number, pfn: number, refs: Refs, kind: PageKind, rest: Op<void>): Op<boolean> {
  void task;
  yield* rest;
  return yield* shrinkUnmapped(k, pfn, refs, kind);
}

/**
 * shrinkPage before the unmap: a referenced page is put back; an anonymous page gets its
 * swap slot (add_to_swap). Returns the page's kind, or undefined when it was put back.
 */
function prepareShrink(k: Kernel, pfn: number, refs: Refs): PageKind | undefined {
  const m = k.mem;
  if (refs === 'activate') return keepNone(k, pfn, ACTIVE, 'referenced again: activated');
  if (refs === 'keep') return keepNone(k, pfn, INACTIVE, 'referenced: second chance on the inactive list');
  const kind = pageKind(k, pfn);
  if (kind === 'other') return keepNone(k, pfn, INACTIVE, 'not reclaimable (no mapping)');
  if (kind === 'anon' && !m.has(pfn, PG_SWAPCACHE)) {
    // add_to_swap(): the slot's first use is the swap cache's.
    const slot = k.swap.alloc();
    if (slot === undefined) return keepNone(k, pfn, ACTIVE, 'swap full: activated');
    addToSwapCache(k, pfn, slot);
    m.set(pfn, PG_DIRTY);
  }
  return kind;
}

function keepNone(k: Kernel, pfn: number, list: number, why: string): undefined {
  keep(k, pfn, list, why);
  return undefined;
}

/** shrinkPage after the unmap: write-out (step swapout), removal and free (step free). */
function* shrinkUnmapped(k: Kernel, pfn: number, refs: Refs, kind: PageKind): Op<boolean> {
  const out = writeOut(k, pfn, refs, kind);
  if (out === KEPT) return false;
  if (out !== CLEAN && k.step('swapout')) yield 'swapout';
  if (!freeReclaimed(k, pfn, kind, out >= 0 ? out : undefined)) return false;
  if (k.step('free')) yield 'free';
  return true;
}

/** What writeOut did when it returns no shmem slot: put the page back; nothing (clean); wrote it. */
const KEPT = -1, CLEAN = -2, WRITTEN = -3;

/**
 * An unmapped page: put back if still mapped or held, else a dirty page is written out
 * (pageout). Returns KEPT, CLEAN, WRITTEN, or the fresh swap slot a shmem page was written to.
 */
function writeOut(k: Kernel, pfn: number, refs: Refs, kind: PageKind): number {
  const m = k.mem;
  if (m.mapcount[pfn]! > 0) return keepAs(k, pfn, ACTIVE, 'still mapped: activated');
  if (m.refcount[pfn] !== expectedRefs(k, pfn)) {
    return keepAs(k, pfn, INACTIVE, `extra references (refcount ${m.refcount[pfn]}): kept`);
  }
  if (!m.has(pfn, PG_DIRTY)) return CLEAN;
  let shmemSlot: number | undefined;
  if (kind === 'lazyfree') return keepAs(k, pfn, ACTIVE, 'lazyfree page is dirty: kept');
  if (refs === 'reclaim_clean') return keepAs(k, pfn, INACTIVE, 'referenced dirty file page: kept for writeback');
  if (kind === 'shmem') {
    shmemSlot = k.swap.alloc();
    if (shmemSlot === undefined) return keepAs(k, pfn, ACTIVE, 'swap full: activated');
  }
  pageout(k, pfn, kind, shmemSlot);
  return shmemSlot ?? WRITTEN;
}

function keepAs(k: Kernel, pfn: number, list: number, why: string): typeof KEPT {
  keep(k, pfn, list, why);
  return KEPT;
}

/**
 * __remove_mapping() and the free: someone may have taken the page while it was written
 * (then it is put back, the shmem slot released). Returns whether the frame was freed.
 * A shmem page put back is dirty again: its slot, the only other copy, is gone. (Linux
 * leaves it in the swap cache behind the mapping's swap entry, and shmem_swapin_folio()
 * marks it dirty when it is looked up; mmspec has no shmem swap cache.)
 */
function freeReclaimed(k: Kernel, pfn: number, kind: PageKind, shmemSlot: number | undefined): boolean {
  const m = k.mem;
  if (m.mapcount[pfn]! > 0 || m.refcount[pfn] !== expectedRefs(k, pfn)) {
    if (shmemSlot !== undefined) {
      k.swap.put(asSlot(shmemSlot));
      m.set(pfn, PG_DIRTY);
    }
    keep(k, pfn, m.mapcount[pfn]! > 0 ? ACTIVE : INACTIVE, `referenced while written (refcount ${m.refcount[pfn]}): kept`);
    return false;
  }
  removeMapping(k, pfn, kind, shmemSlot);
  if (k.config.trace) k.emit({ e: 'reclaim', pfn, result: reclaimedHow(kind, shmemSlot) });
  m.clear(pfn, PG_ISOLATED | PG_LOCKED);
  m.addPin(pfn, -1);
  k.check.frameTouched(pfn);
  if (m.refcount[pfn] !== 0) bug(`shrinkPage: pfn ${pfn} still has refcount ${m.refcount[pfn]} after removal`);
  k.freePage(pfn);
  return true;
}

function reclaimedHow(kind: PageKind, shmemSlot: number | undefined): string {
  if (kind === 'lazyfree') return 'lazyfree: discarded without swap';
  if (kind === 'anon' || shmemSlot !== undefined) return 'swapped out';
  return 'dropped from the page cache';
}

function keep(k: Kernel, pfn: number, list: number, why: string): false {
  if (k.config.trace) k.emit({ e: 'reclaim', pfn, result: why });
  putbackLruPage(k, pfn, list);
  return false;
}

/**
 * Writes a dirty, unmapped page out: anon to its swap slot, a file page to the file,
 * shmem to a fresh slot. Linux: pageout() → swap_writepage(), ->writepage(), shmem_writepage()
 */
function pageout(k: Kernel, pfn: number, kind: PageKind, shmemSlot: number | undefined): void {
  const m = k.mem;
  const value = m.value[pfn] ?? 0;
  if (kind === 'anon') {
    const slot = m.swapOf.get(pfn)!;
    k.swap.content[slot] = value;
    if (k.config.trace) k.emit({ e: 'swapout', pfn, slot });
  } else if (kind === 'shmem') {
    k.swap.content[shmemSlot!] = value;
    if (k.config.trace) k.emit({ e: 'swapout', pfn, slot: shmemSlot! });
  } else {
    const f = fileOfPage(k, pfn)!;
    const index = m.index[pfn]!;
    f.backing[index] = value;
    if (k.config.trace) k.emit({ e: 'writeback', pfn, file: f.name, index });
  }
  m.clear(pfn, PG_DIRTY);
}

/**
 * Takes the page out of the swap cache or page cache; a written shmem page leaves its
 * swap entry in the file's mapping. Linux: __remove_mapping() → __delete_from_swap_cache(),
 * __filemap_remove_folio(); shmem_writepage()'s swap entry in the mapping
 */
function removeMapping(k: Kernel, pfn: number, kind: PageKind, shmemSlot: number | undefined): void {
  const m = k.mem;
  if (m.has(pfn, PG_SWAPCACHE)) deleteFromSwapCache(k, pfn);
  const f = fileOfPage(k, pfn);
  if (f) {
    const index = m.index[pfn]!;
    f.cache.delete(index);
    if (kind === 'shmem' && shmemSlot !== undefined) f.swapped.set(index, asSlot(shmemSlot));
    k.putPage(pfn);
  }
  if (kind === 'lazyfree') m.clear(pfn, PG_LAZYFREE);
}

/**
 * Isolates the pages mapped now at `addrs` (present, normal, not the zero page; skipped
 * silently otherwise), then reclaims each without aging, as reclaim_pages() does.
 * Steps: isolate, then per page start/clear/end per mapping, swapout, free.
 * `isolateAt`, when given, lists the addresses again when isolation starts: a caller that
 * passes only the populated addresses of a range (a range of millions of pages) re-reads
 * them after the THP splits, which take steps during which other threads may map pages.
 * Linux: reclaim_pages() → reclaim_folio_list() → shrink_folio_list(ignore_references)
 */
export function* reclaimRange(k: Kernel, task: number, mm: Mm, addrs: readonly number[], isolateAt?: () => readonly number[]): Op<void> {
  // A THP named by the range is split first, so its subpages can go to swap one by one.
  // Linux: shrink_folio_list() → split_folio_to_list() when the folio cannot be swapped whole
  for (let i = nextHugeIndex(mm, addrs, 0); i >= 0; i = nextHugeIndex(mm, addrs, i + 1)) {
    const pte = mm.pteInto(addrs[i]!, scratch);
    if (isPresent(pte.bits) && (pte.bits & PTE_SPECIAL) === 0 && pte.pfn !== 0 && k.mem.isHuge(pte.pfn)) {
      yield* splitHugePageOp(k, task, pte.pfn);
    }
  }
  const pfns = isolateRange(k, mm, isolateAt ? isolateAt() : addrs);
  if (k.step('isolate')) yield 'isolate';
  yield* reclaimPages(k, task, pfns);
}

/**
 * The first index from `from` on whose address a huge PMD maps, or -1. (A plain function,
 * as is isolateRange: the JIT keeps their loops' code from call to call, which it does not
 * for a loop inside the generator that calls them once.)
 */
function nextHugeIndex(mm: Mm, addrs: readonly number[], from: number): number {
  // The 2 MiB region last seen without a huge PMD: its other addresses need no look.
  // THPs are only PMD-mapped in mmspec (a split splits the page too): a PMD check suffices.
  let noHugeKey = -1;
  for (let i = from; i < addrs.length; i++) {
    const addr = addrs[i]!;
    const key = Math.floor(addr / HPAGE_PMD_SIZE);
    if (key === noHugeKey) continue;
    if (mm.hugePmdBits(addr) === 0) {
      noHugeKey = key;
      continue;
    }
    return i;
  }
  return -1;
}

/**
 * Isolates the pages mapped now at `addrs` (see reclaimRange) and returns their pfns, in
 * the order of the addresses. Changes no PTE.
 */
function isolateRange(k: Kernel, mm: Mm, addrs: readonly number[]): number[] {
  const pfns: number[] = [];
  // The PTE page of the 2 MiB region of the last address (the isolation changes no PTE).
  let regionKey = -1;
  let region: PtePage | undefined | null;
  for (let a = 0; a < addrs.length; a++) {
    const addr = addrs[a]!;
    const key = Math.floor(addr / HPAGE_PMD_SIZE);
    if (key !== regionKey) {
      regionKey = key;
      region = mm.ptePageForRead(addr);
    }
    if (region === undefined) continue;
    let pfn: number, bits: number;
    if (region === null) {
      const pte = mm.pteInto(addr, scratch);
      pfn = pte.pfn;
      bits = pte.bits;
    } else {
      const i = PageTable.pteIndex(addr);
      pfn = region.pfn[i]!;
      bits = region.bits[i]!;
    }
    // The pages the range maps now — through a special PTE too (a mirror view shows the
    // target's frame): rmap then finds that frame's real mappings, and the mirror hears of
    // it through its notifier. The zero page is never reclaimed.
    if (!isPresent(bits) || (bits & PMD_HUGE) !== 0 || pfn === 0) continue;
    // A page mapped twice in the range is already isolated the second time.
    if (isolateLruPage(k, pfn)) {
      if (k.config.trace) k.emit({ e: 'reclaim', pfn, result: 'isolated' });
      pfns.push(pfn);
    }
  }
  return pfns;
}

/** Reclaims already isolated pages, ignoring references; returns how many were freed. Linux: reclaim_pages() */
export function* reclaimPages(k: Kernel, task: number, pfns: readonly number[]): Op<number> {
  let freed = 0;
  for (const pfn of pfns) {
    let r = shrinkPageNow(k, task, pfn, true);
    if (r instanceof Later) r = yield* r.op;
    if (r) freed++;
  }
  return freed;
}

/**
 * With every swap slot in use, anonymous pages that would need one are not scanned at all
 * (only file and lazyfree pages are). Linux: get_scan_count() → can_reclaim_anon_pages()
 */
function cannotSwap(k: Kernel, pfn: number): boolean {
  const m = k.mem;
  return k.swap.used >= k.swap.slots && m.has(pfn, PG_ANON) && m.has(pfn, PG_SWAPBACKED) && !m.has(pfn, PG_SWAPCACHE);
}

/**
 * Moves pages from the active tail to the inactive head while the inactive list is the
 * shorter one. Young bits are cleared on the way (the page's next inactive trip must see
 * fresh references); only a referenced executable file page stays active.
 * Linux: shrink_active_list(), inactive_is_low() (inactive_ratio 1 below 1 GiB)
 */
function shrinkActiveList(k: Kernel): void {
  const lru = k.lru, m = k.mem;
  let budget = lru.size[ACTIVE]!;
  while (lru.size[INACTIVE]! < lru.size[ACTIVE]! && budget-- > 0) {
    const pfn = lru.tail[ACTIVE]!;
    if (!pfn) break;
    if (cannotSwap(k, pfn)) {
      lruDel(k, pfn);
      lruAdd(k, pfn, ACTIVE);
      continue;
    }
    const { referenced, vmFlags } = pageReferenced(k, pfn);
    if (referenced > 0 && (vmFlags & VM_EXEC) !== 0 && isFileLru(k, pfn)) {
      lruDel(k, pfn);
      lruAdd(k, pfn, ACTIVE);
      continue;
    }
    lruDeactivate(k, pfn);
    if (k.config.trace) k.emit({ e: 'reclaim', pfn, result: 'deactivated' });
  }
  void m;
}

/**
 * Memory pressure: frees up to `n` pages chosen by the LRU. Each round balances the lists
 * (shrink_active_list), isolates up to SWAP_CLUSTER_MAX pages from the inactive tail and
 * runs them through the reclaim path with aging. Stops when `n` are freed or when every
 * page has had its chances (twice the LRU's size scanned with nothing freed): the caller
 * (the allocator) then reports OOM. THPs are rotated, never split.
 * Steps: isolate per batch, then those of each page.
 * Linux: try_to_free_pages() → shrink_node() → shrink_lruvec() → shrink_inactive_list()
 */
export function* shrinkLru(k: Kernel, n: number, task: number): Op<number> {
  const lru = k.lru, m = k.mem;
  let freed = 0, idle = 0;
  while (freed < n) {
    if (idle > 2 * (lru.size[ACTIVE]! + lru.size[INACTIVE]!) + SWAP_CLUSTER_MAX) break;
    shrinkActiveList(k);
    const batch: number[] = [];
    const want = Math.min(SWAP_CLUSTER_MAX, n - freed);
    let looked = 0;
    const listLen = lru.size[INACTIVE]!;
    while (batch.length < want && looked < listLen) {
      const pfn = lru.tail[INACTIVE]!;
      if (!pfn) break;
      looked++;
      if (cannotSwap(k, pfn)) {
        lruDel(k, pfn);
        lruAdd(k, pfn, INACTIVE);
        idle++;
      } else if (isolateLruPage(k, pfn)) {
        if (k.config.trace) k.emit({ e: 'reclaim', pfn, result: 'isolated' });
        batch.push(pfn);
      } else {
        // Cannot be taken now (a THP, a locked page): rotate. Linux: isolate_lru_folios() skip
        lruDel(k, pfn);
        lruAdd(k, pfn, m.has(pfn, PG_ACTIVE) ? ACTIVE : INACTIVE);
        idle++;
      }
    }
    if (batch.length === 0) break;
    if (k.step('isolate')) yield 'isolate';
    for (const pfn of batch) {
      let r = shrinkPageNow(k, task, pfn, false);
      if (r instanceof Later) r = yield* r.op;
      if (r) { freed++; idle = 0; } else idle++;
    }
  }
  return freed;
}
