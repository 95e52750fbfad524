import type { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import {
  ZERO_PFN, PG_LRU, PG_ACTIVE, PG_ISOLATED, PG_LOCKED, PG_SWAPCACHE, PG_DIRTY, PG_RESERVED, PG_DEVICE_PRIVATE,
  PG_HEAD, PG_TAIL, PG_KSM, PG_ALLOCATED, PG_TRANSIENT,
} from './frames.js';
import { isPresent, PTE_SPECIAL, PTE_KIND_MASK, PTE_MIGRATION, PTE_PRESENT, PTE_DIRTY, PTE_WRITE, PTE_YOUNG } from './pte.js';
import { rmapWalk, pageRemoveRmap, type RmapHit } from './rmap.js';
import { lruAdd, lruDel, ACTIVE, INACTIVE } from './lru.js';
import { mmuNotifierInvalidateRangeStart, mmuNotifierInvalidateRangeEnd, type NotifierRange } from './notifier.js';
import { pteProtBits } from './fault.js';
import { splitHugePageOp } from './huge.js';
import { PAGE_SIZE, type Op } from './types.js';

/**
 * Page migration (compaction, NUMA, `migrate RANGE`). Linux: mm/migrate.c
 *
 * Per page: `isolate` (off the LRU, locked, one reference held) → for each mapping rmap
 * finds: `start` (CLEAR, one page) → `clear` (PTE → migration entry, which keeps the
 * write/dirty/young bits; the mapping's mapcount and reference go) → `end` → `copy` (a
 * new frame, lowest free, gets the content, flags, owner and the cache references) →
 * `remap` (each migration entry → the new frame, a mapcount and a reference each) →
 * `free` (the old frame). A fault on a migration entry waits for the remap
 * (migration_entry_wait in fault.ts).
 *
 * Modelling choices:
 *  - The reference check (refcount = mapcount + swap/page cache + our isolation
 *    reference) is made at isolation, and a page that fails it (a GUP pin, a transient
 *    reference) is left alone with -EAGAIN. Linux finds it in folio_migrate_mapping()
 *    after unmapping, restores the PTEs (remove_migration_ptes(src, src)) and retries up
 *    to 10 times before giving up; the end state is the same, without the round trip.
 *  - A THP is split first and its pages migrated one by one (what migrate_pages does
 *    when it cannot allocate a huge target: try_split_folio); only the subpages asked
 *    for are migrated.
 *  - The target never reclaims: no free frame → -ENOMEM, PTEs restored to the old page.
 */

/** How one page's migration ended. */
export type MigrateResult = 'migrated' | 'skipped' | 'EAGAIN' | 'ENOMEM';

/**
 * Migrates the pages mapped now at `addrs` of `mm` (resolved when the operation takes its
 * first step). Pages that are not present, special, the zero page, or already isolated
 * are skipped silently (isolate_lru_page fails). Linux: migrate_pages()
 */
export function* migrateRange(k: Kernel, task: number, mm: Mm, addrs: readonly number[]): Op<void> {
  const pfns: number[] = [];
  for (const addr of addrs) {
    const pte = mm.pte(addr);
    // Through a special PTE too (a mirror view shows the target's frame): the frame is
    // migrated, its rmap mappings follow, the mirror is told by its notifier.
    if (!isPresent(pte.bits) || pte.pfn === ZERO_PFN) continue;
    if (!pfns.includes(pte.pfn)) pfns.push(pte.pfn);
  }
  for (const pfn of pfns) {
    if (k.mem.has(pfn, PG_HEAD | PG_TAIL)) yield* splitHugePageOp(k, task, pfn);
    yield* migratePage(k, task, pfn);
  }
}

/** Whether `pfn` is a page migration may move: allocated, on the LRU, not isolated, not reserved or device memory. */
export function isMovable(k: Kernel, pfn: number): boolean {
  const m = k.mem;
  if (pfn === ZERO_PFN || !m.isAllocated(pfn)) return false;
  if (m.has(pfn, PG_RESERVED | PG_DEVICE_PRIVATE | PG_ISOLATED | PG_HEAD | PG_TAIL)) return false;
  return m.has(pfn, PG_LRU);
}

/** References a migratable page may have: its mappings and its caches. Linux: folio_expected_refs() */
export function expectedRefs(k: Kernel, pfn: number): number {
  const m = k.mem;
  let n = m.mapcount[pfn]!;
  if (m.has(pfn, PG_SWAPCACHE)) n++;
  const owner = m.owner[pfn]!;
  if (owner < 0 && k.files[-owner]?.cache.get(m.index[pfn]!) === pfn) n++;
  return n;
}

/**
 * Migrates one page to the lowest free frame. Steps: isolate, per mapping start/clear/end,
 * copy, remap, free. Linux: migrate_pages_batch() → migrate_folio_unmap()
 * (try_to_migrate → try_to_migrate_one), move_to_new_folio(), remove_migration_ptes()
 */
export function* migratePage(k: Kernel, task: number, pfn: number): Op<MigrateResult> {
  const m = k.mem;
  if (!isMovable(k, pfn)) return 'skipped';
  // isolate: off the LRU, locked, one reference of ours (folio_isolate_lru + folio_lock).
  if (m.refcount[pfn] !== expectedRefs(k, pfn)) {
    k.emit({ e: 'migrate', from: pfn, to: 0,
      result: `EAGAIN: refcount ${m.refcount[pfn]}, expected ${expectedRefs(k, pfn)} (pinned)` });
    return 'EAGAIN';
  }
  const wasActive = m.has(pfn, PG_ACTIVE);
  lruDel(k, pfn);
  m.set(pfn, PG_ISOLATED | PG_LOCKED);
  m.addPin(pfn, 1);
  k.check.frameTouched(pfn);
  if (k.step('isolate')) yield 'isolate';

  const entries = yield* unmapToMigrationEntries(k, task, pfn);

  const to = k.allocPageNoReclaim(m.value[pfn] ?? 0, 'migrate');
  if (to === undefined) {
    restoreMigrationEntries(k, entries, pfn, pfn);
    finishIsolation(k, pfn, wasActive);
    k.emit({ e: 'migrate', from: pfn, to: 0, result: 'ENOMEM: no free frame' });
    if (k.step('free')) yield 'free';
    return 'ENOMEM';
  }
  moveToNewPage(k, pfn, to);
  k.emit({ e: 'copy', from: pfn, to, why: 'migrate' });
  if (k.step('copy')) yield 'copy';

  restoreMigrationEntries(k, entries, pfn, to);
  m.clear(to, PG_ISOLATED | PG_LOCKED);
  lruAdd(k, to, wasActive ? ACTIVE : INACTIVE);
  // The new page's allocation reference is dropped like the isolation reference of a
  // putback page (it is freed here if every mapping went away meanwhile).
  k.putPage(to);
  if (k.step('remap')) yield 'remap';

  m.clear(pfn, PG_ISOLATED | PG_LOCKED);
  m.addPin(pfn, -1);
  if (m.refcount[pfn] === 0) k.freePage(pfn);
  else k.check.frameTouched(pfn);
  k.emit({ e: 'migrate', from: pfn, to, result: 'migrated' });
  if (k.step('free')) yield 'free';
  return 'migrated';
}

/** A PTE that became a migration entry, and the bits it had. */
interface MigrationEntry { readonly hit: RmapHit; readonly bits: number }

/**
 * Replaces every mapping of `pfn` by a migration entry, one rmap hit at a time, each in
 * its own CLEAR invalidation of one page. The entry keeps the write, dirty and young bits;
 * a dirty PTE marks the page dirty. Linux: try_to_migrate_one()
 */
function* unmapToMigrationEntries(k: Kernel, task: number, pfn: number): Op<MigrationEntry[]> {
  const out: MigrationEntry[] = [];
  for (const hit of rmapWalk(k, pfn)) {
    const mm = hit.vma.mm;
    const range: NotifierRange = { mm, start: hit.addr, end: hit.addr + PAGE_SIZE, event: 'CLEAR', blockable: true, task };
    yield* mmuNotifierInvalidateRangeStart(k, range);
    if (k.step('start')) yield 'start';
    const pte = mm.pte(hit.addr);
    if (isPresent(pte.bits) && (pte.bits & PTE_SPECIAL) === 0 && pte.pfn === pfn) {
      if ((pte.bits & PTE_DIRTY) !== 0) k.mem.set(pfn, PG_DIRTY);
      k.setPte(mm, hit.addr, pfn, (pte.bits & ~PTE_KIND_MASK) | PTE_MIGRATION);
      pageRemoveRmap(k, pfn);
      k.putPage(pfn);
      out.push({ hit, bits: pte.bits });
    }
    if (k.step('clear')) yield 'clear';
    yield* mmuNotifierInvalidateRangeEnd(k, range);
    if (k.step('end')) yield 'end';
  }
  return out;
}

/**
 * Points the migration entries for `from` that are still in place at `to`: a present PTE
 * with the VMA's protection, writable if the entry was, dirty/young as the entry was;
 * each takes a mapcount and a reference. Entries zapped meanwhile (munmap) are gone.
 * Linux: remove_migration_ptes() → remove_migration_pte()
 */
function restoreMigrationEntries(k: Kernel, entries: readonly MigrationEntry[], from: number, to: number): void {
  for (const { hit, bits } of entries) {
    const mm = hit.vma.mm;
    const cur = mm.pte(hit.addr);
    if ((cur.bits & PTE_KIND_MASK) !== PTE_MIGRATION || cur.pfn !== from) continue;
    const vma = mm.findVma(hit.addr) ?? hit.vma;
    const prot = pteProtBits(vma, (bits & PTE_WRITE) !== 0) | (bits & (PTE_DIRTY | PTE_YOUNG));
    k.setPte(mm, hit.addr, to, (prot & ~PTE_KIND_MASK) | PTE_PRESENT);
    k.mem.mapcount[to]!++;
    k.getPage(to);
  }
}

/**
 * The new page takes the old one's place: content, flags, rmap owner and index, the
 * page-cache or swap-cache slot (with its reference) and a KSM page's rmap list.
 * Linux: move_to_new_folio() → migrate_folio() → folio_migrate_mapping(), folio_migrate_flags()
 */
function moveToNewPage(k: Kernel, from: number, to: number): void {
  const m = k.mem;
  m.value[to] = m.value[from] ?? 0;
  const keep = PG_ALLOCATED | PG_TRANSIENT;
  m.flags[to] = (m.flags[to]! & keep) | (m.flags[from]! & ~(keep | PG_LRU | PG_ACTIVE));
  m.owner[to] = m.owner[from]!;
  m.index[to] = m.index[from]!;
  const owner = m.owner[from]!;
  const file = owner < 0 ? k.files[-owner] : undefined;
  if (file && file.cache.get(m.index[from]!) === from) {
    file.cache.set(m.index[from]!, to);
    m.refcount[to]!++;
    m.refcount[from]!--;
  }
  if (m.has(from, PG_SWAPCACHE)) {
    const slot = m.swapOf.get(from)!;
    k.swap.cache.set(slot, to);
    m.swapOf.set(to, slot);
    m.swapOf.delete(from);
    m.clear(from, PG_SWAPCACHE);
    m.refcount[to]!++;
    m.refcount[from]!--;
  }
  if (m.has(from, PG_KSM)) {
    const list = k.ksmRmap.get(from);
    if (list) { k.ksmRmap.set(to, list); k.ksmRmap.delete(from); }
    m.clear(from, PG_KSM);
  }
  m.clear(from, PG_DIRTY);
  k.check.frameTouched(from);
  k.check.frameTouched(to);
}

/** Ends an isolation that did not migrate: unlocked and back on its LRU list. Linux: folio_putback_lru() */
function finishIsolation(k: Kernel, pfn: number, wasActive: boolean): void {
  k.mem.clear(pfn, PG_ISOLATED | PG_LOCKED);
  lruAdd(k, pfn, wasActive ? ACTIVE : INACTIVE);
  k.mem.addPin(pfn, -1);
  if (k.mem.refcount[pfn] === 0) k.freePage(pfn);
  else k.check.frameTouched(pfn);
}
