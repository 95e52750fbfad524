import type { Kernel } from './kernel.js';
import type { Vma } from './vma.js';
import { VM_SPECIAL, VM_WRITE } from './vma.js';
import {
  PTE_KIND_MASK, PTE_PRESENT, PTE_MIGRATION, PTE_DEVICE, PTE_WRITE, PTE_SPECIAL, PTE_DIRTY, PTE_YOUNG,
  PMD_HUGE, type PteValue,
} from './pte.js';
import type { FaultOutcome } from './fault.js';
import { pteProtBits } from './fault.js';
import { PG_ANON, PG_ANON_EXCLUSIVE, PG_DEVICE_PRIVATE, PG_KSM, PG_SWAPBACKED, PG_SWAPCACHE, ZERO_PFN } from './frames.js';
import { anonVmaPrepare, pageAddNewAnonRmap, pageRemoveRmap } from './rmap.js';
import { lruAdd } from './lru.js';
import { mmuNotifierInvalidateRangeStart, mmuNotifierInvalidateRangeEnd, type NotifierRange } from './notifier.js';
import { splitHugePmd } from './huge.js';
import { attachedTo, bug, KernelError, PAGE_SIZE, HPAGE_PMD_SIZE, type Op, type Pfn, type Value } from './types.js';

/**
 * Device-private memory (ZONE_DEVICE, MEMORY_DEVICE_PRIVATE) and the migrate_vma API
 * that moves anonymous pages between system memory and a device.
 *
 * A device-private page is a frame with PG_DEVICE_PRIVATE. The CPU cannot access it: a
 * PTE that maps one is a device-private swap-type entry (PTE_DEVICE, WRITE when the
 * entry is writable), and a CPU fault on it asks the page's owner to migrate it back
 * (`migrate_to_ram`). Such an entry counts like a present mapping (Linux keeps
 * mapcount and refcount for device-private pages: folio_add_anon_rmap_pte on
 * remove_migration_pte, folio_try_dup_anon_rmap_pte on fork, folio_remove_rmap_pte +
 * folio_put on zap, and the last put returns the page to the driver).
 *
 * mmspec's choice: the frame is both the ZONE_DEVICE `struct page` and the driver's
 * backing store (test_hmm keeps a device page's data in a system "backing" page, one per
 * device page), so a device page costs one frame of `memory N frames`. It is anonymous
 * (PG_ANON, owner/index as the page it replaced), never on an LRU, never reclaimed.
 *
 * Linux: include/linux/memremap.h (struct dev_pagemap), mm/migrate_device.c
 */

/**
 * The `pgmap->owner` of device-private pages and its `dev_pagemap_ops`. HMM and
 * migrate_vma compare owners by identity.
 */
export interface DevicePrivateOwner {
  readonly name: string;
  /** dev_pagemap_ops->migrate_to_ram: a CPU fault on one of its pages. */
  migrateToRam(k: Kernel, task: number, vma: Vma, addr: number, pte: PteValue): Op<FaultOutcome>;
  /** dev_pagemap_ops->page_free: the last reference is gone (the frame is freed after). */
  pageFree?(k: Kernel, pfn: number): void;
}

const OWNERS = {};
/** Device pfn → owner, registered by drivers that hand out device-private pages. */
export function devicePrivateOwners(k: Kernel): Map<number, DevicePrivateOwner> {
  return attachedTo(k, OWNERS, () => new Map<number, DevicePrivateOwner>());
}

/** The owner of a device-private page, or undefined if `pfn` is not one. Linux: page_pgmap(page)->owner */
export function devicePrivateOwnerOf(k: Kernel, pfn: number): DevicePrivateOwner | undefined {
  if (!k.mem.has(pfn, PG_DEVICE_PRIVATE)) return undefined;
  return devicePrivateOwners(k).get(pfn);
}

/** Whether a PTE is a device-private entry. Linux: is_device_private_entry() */
export const isDevicePrivateEntry = (bits: number): boolean => (bits & PTE_KIND_MASK) === PTE_DEVICE;

/**
 * A CPU fault on a device-private entry. Linux: do_swap_page() → pgmap->ops->migrate_to_ram()
 */
export function* migrateToRam(k: Kernel, task: number, vma: Vma, addr: number, pte: PteValue): Op<FaultOutcome> {
  const owner = devicePrivateOwnerOf(k, pte.pfn);
  if (!owner) return { kind: 'signal', sig: 'SIGBUS', reason: `device-private entry for pfn ${pte.pfn} has no owner` };
  return yield* owner.migrateToRam(k, task, vma, addr, pte);
}

/**
 * Allocates a device-private page of `owner` holding `value` (the driver's allocator plus
 * its backing page). The page comes with the allocation's (transient) reference.
 * Linux: the driver's free list, zone_device_folio_init(); test_hmm dmirror_devmem_alloc_page()
 */
export function* allocDevicePrivatePage(k: Kernel, owner: DevicePrivateOwner, value: Value, task: number): Op<Pfn | undefined> {
  const pfn = yield* k.allocPage(value, `device-private (${owner.name})`, task);
  if (pfn === undefined) return undefined;
  k.mem.set(pfn, PG_DEVICE_PRIVATE);
  devicePrivateOwners(k).set(pfn, owner);
  return pfn;
}

/** A device-private page's last reference went away. Linux: free_zone_device_folio() → page_free() */
function freeDevicePrivatePage(k: Kernel, pfn: number): void {
  const owner = devicePrivateOwnerOf(k, pfn);
  owner?.pageFree?.(k, pfn);
  devicePrivateOwners(k).delete(pfn);
}

// ---------------------------------------------------------------- migrate_vma

/** What migrate_vma_setup selects: Linux's MIGRATE_VMA_SELECT_SYSTEM / _DEVICE_PRIVATE. */
export type MigrateSelect = 'system' | 'device-private';

/**
 * One page of a migrate_vma: `src[i]` of Linux as a record. `pfn` undefined is a page
 * with no source page (pte_none or the zero page: the destination starts zeroed).
 * `write` is MIGRATE_PFN_WRITE; `migrate` MIGRATE_PFN_MIGRATE.
 */
export interface MigrateSrc {
  readonly addr: number;
  pfn: number | undefined;
  migrate: boolean;
  readonly write: boolean;
  /** The source PTEs were replaced with migration entries (to restore if not migrated). */
  unmapped: boolean;
}

/** `dst[i]`: the page the driver allocated (with its transient reference) and MIGRATE_PFN_WRITE. */
export interface MigrateDst {
  readonly pfn: number;
  readonly write: boolean;
}

/** Linux: struct migrate_vma */
export interface MigrateVma {
  readonly vma: Vma;
  readonly start: number;
  readonly end: number;
  readonly owner: DevicePrivateOwner;
  readonly src: MigrateSrc[];
  readonly dst: (MigrateDst | undefined)[];
  /** Pages selected (migrate->cpages). */
  cpages: number;
  readonly task: number;
}

/**
 * Collects the pages of [start, end) of `vma` that can migrate and unmaps them (their
 * PTEs become migration entries, in every process mapping them), inside one
 * MMU_NOTIFY_MIGRATE invalidation carrying `owner` (which the owner's own notifier
 * callbacks skip). Selected with 'system': pte_none of an anonymous VMA and the zero page
 * (no source page), and anonymous pages not pinned, not in the swap cache, not KSM;
 * page-cache pages, swap entries and device pages are not. With 'device-private': the
 * device-private entries of `owner`. Caller holds mmap_lock for read.
 * A VM_SPECIAL VMA (PFNMAP, MIXEDMAP, IO: a driver's pfns, no pages to move) is refused
 * with EINVAL before anything is collected — no notifier runs; hugetlb and DAX VMAs, which
 * it refuses too, are not modelled. (A file-backed VMA is not refused: its pages are simply
 * not selected.) Callers pass a range inside the VMA.
 * Steps: start, clear, end. Linux: migrate_vma_setup() → migrate_vma_collect(), migrate_vma_unmap()
 */
export function* migrateVmaSetup(
  k: Kernel, task: number, vma: Vma, start: number, end: number, owner: DevicePrivateOwner, select: MigrateSelect,
): Op<MigrateVma | KernelError> {
  if (vma.has(VM_SPECIAL)) return new KernelError('EINVAL', 'migrate_vma_setup refuses a VM_SPECIAL VMA (PFNMAP/MIXEDMAP/IO)');
  if (start < vma.start || end > vma.end || end <= start) bug(`migrateVmaSetup: [0x${start.toString(16)}, 0x${end.toString(16)}) is not inside its VMA`);
  const mm = vma.mm;
  const m: MigrateVma = { vma, start, end, owner, src: [], dst: [], cpages: 0, task };
  const range: NotifierRange = { mm, start, end, event: 'MIGRATE', blockable: true, owner, task };
  yield* mmuNotifierInvalidateRangeStart(k, range);
  if (k.step('start')) yield 'start';
  // A PMD-mapped THP (or huge zero page) is split and migrated page by page (the
  // v6.12 path; THP device migration, MIGRATE_VMA_SELECT_COMPOUND, is not modelled).
  if (select === 'system') {
    for (let base = start - (start % HPAGE_PMD_SIZE); base < end; base += HPAGE_PMD_SIZE) {
      if (mm.hugePmd(base).bits !== 0) yield* splitHugePmd(k, task, vma, base);
    }
  }
  for (let addr = start; addr < end; addr += PAGE_SIZE) {
    const s = collectOne(k, vma, addr, owner, select);
    m.src.push(s);
    m.dst.push(undefined);
    if (s.migrate) m.cpages++;
  }
  if (k.step('clear')) yield 'clear';
  yield* mmuNotifierInvalidateRangeEnd(k, range);
  if (k.step('end')) yield 'end';
  // migrate_vma_unmap: the other mappings of the collected pages (fork relatives), for a
  // page still mapped (folio_mapped: its mapcount says so — a mapping it does not count,
  // the anonymous mirror design's, stays as it is).
  for (const s of m.src) {
    if (s.migrate && s.pfn !== undefined && k.mem.mapcount[s.pfn]! > 0) yield* tryToMigrate(k, task, s.pfn, vma, s.addr);
  }
  return m;
}

/** One PTE of migrate_vma_collect_pmd(). */
function collectOne(k: Kernel, vma: Vma, addr: number, owner: DevicePrivateOwner, select: MigrateSelect): MigrateSrc {
  const mm = vma.mm;
  const pte = mm.pte(addr);
  const kind = pte.bits & PTE_KIND_MASK;
  const no = (): MigrateSrc => ({ addr, pfn: undefined, migrate: false, write: false, unmapped: false });
  if (select === 'system') {
    if (kind === 0) return vma.isAnon ? { addr, pfn: undefined, migrate: true, write: false, unmapped: false } : no();
    if (kind !== PTE_PRESENT || (pte.bits & PMD_HUGE) !== 0) return no();
    if (pte.pfn === ZERO_PFN) return { addr, pfn: undefined, migrate: true, write: false, unmapped: false };
    if ((pte.bits & PTE_SPECIAL) !== 0) return no();
    const pfn = pte.pfn, mem = k.mem;
    if (!mem.has(pfn, PG_ANON) || mem.has(pfn, PG_KSM | PG_SWAPCACHE | PG_DEVICE_PRIVATE) || mem.pinCount(pfn) > 0) return no();
  } else {
    if (kind !== PTE_DEVICE || devicePrivateOwnerOf(k, pte.pfn) !== owner) return no();
  }
  const write = (pte.bits & PTE_WRITE) !== 0;
  // The migration's own reference (isolation), then this mapping becomes a migration entry.
  k.mem.addPin(pte.pfn, 1);
  k.check.frameTouched(pte.pfn);
  installMigrationEntry(k, vma, addr, pte);
  return { addr, pfn: pte.pfn, migrate: true, write, unmapped: true };
}

/** A mapping of a page being migrated becomes a migration entry; its mapcount and reference go. */
function installMigrationEntry(k: Kernel, vma: Vma, addr: number, pte: PteValue): void {
  k.setPte(vma.mm, addr, pte.pfn, PTE_MIGRATION | (pte.bits & PTE_WRITE));
  pageRemoveRmap(k, pte.pfn);
  k.putPage(pte.pfn);
}

/**
 * The mappings of `pfn` other than (`vma`, `addr`), found through its anon_vma: present
 * PTEs or device-private entries (the rmap walk of try_to_migrate sees both).
 */
function otherMappings(k: Kernel, pfn: number, kind: number, skip?: { vma: Vma; addr: number }): { vma: Vma; addr: number }[] {
  const mem = k.mem;
  const av = k.anonVmas[mem.owner[pfn]!];
  const out: { vma: Vma; addr: number }[] = [];
  if (!av || mem.owner[pfn]! <= 0) return out;
  for (const vma of av.vmas) {
    const addr = vma.addressOf(mem.index[pfn]!);
    if (addr < 0 || (skip && vma.mm === skip.vma.mm && addr === skip.addr)) continue;
    const pte = vma.mm.pte(addr);
    if ((pte.bits & PTE_KIND_MASK) === kind && pte.pfn === pfn && (pte.bits & (PTE_SPECIAL | PMD_HUGE)) === 0) out.push({ vma, addr });
  }
  out.sort((a, b) => a.vma.mm.id - b.vma.mm.id || a.addr - b.addr);
  return out;
}

/**
 * Replaces every other mapping of a page under migration with a migration entry, each
 * inside a CLEAR invalidation of its mm. Steps: start, clear, end per mapping.
 * Linux: migrate_vma_unmap() → try_to_migrate() → try_to_migrate_one()
 */
function* tryToMigrate(k: Kernel, task: number, pfn: number, vma: Vma, addr: number): Op<void> {
  const kind = k.mem.has(pfn, PG_DEVICE_PRIVATE) ? PTE_DEVICE : PTE_PRESENT;
  for (const hit of otherMappings(k, pfn, kind, { vma, addr })) {
    const range: NotifierRange = { mm: hit.vma.mm, start: hit.addr, end: hit.addr + PAGE_SIZE, event: 'CLEAR', blockable: true, task };
    yield* mmuNotifierInvalidateRangeStart(k, range);
    if (k.step('start')) yield 'start';
    const pte = hit.vma.mm.pte(hit.addr);
    if ((pte.bits & PTE_KIND_MASK) === kind && pte.pfn === pfn) installMigrationEntry(k, hit.vma, hit.addr, pte);
    if (k.step('clear')) yield 'clear';
    yield* mmuNotifierInvalidateRangeEnd(k, range);
    if (k.step('end')) yield 'end';
  }
}

/**
 * Moves each selected page to its destination: for a page without a source page (pte_none,
 * zero page) the destination is mapped now, inside one MIGRATE invalidation with the owner;
 * a page whose driver gave no destination stays. Content is the driver's to copy.
 * Steps: start, remap, end (only when a page had no source).
 * Linux: migrate_vma_pages() → migrate_vma_insert_page(), folio_migrate_mapping()
 */
export function* migrateVmaPages(k: Kernel, m: MigrateVma): Op<void> {
  let range: NotifierRange | undefined;
  for (let i = 0; i < m.src.length; i++) {
    const s = m.src[i]!, d = m.dst[i];
    if (!s.migrate) continue;
    if (!d) { s.migrate = false; continue; }
    if (s.pfn !== undefined) {
      // folio_migrate_mapping / folio_migrate_flags: the new page takes the old one's place in rmap.
      const mem = k.mem;
      mem.owner[d.pfn] = mem.owner[s.pfn]!;
      mem.index[d.pfn] = mem.index[s.pfn]!;
      mem.set(d.pfn, PG_ANON | PG_SWAPBACKED | (mem.flags[s.pfn]! & PG_ANON_EXCLUSIVE));
      continue;
    }
    if (!range) {
      range = { mm: m.vma.mm, start: s.addr, end: m.end, event: 'MIGRATE', blockable: true, owner: m.owner, task: m.task };
      yield* mmuNotifierInvalidateRangeStart(k, range);
      if (k.step('start')) yield 'start';
    }
    if (!insertPage(k, m.vma, s.addr, d)) s.migrate = false;
  }
  if (range) {
    if (k.step('remap')) yield 'remap';
    yield* mmuNotifierInvalidateRangeEnd(k, range);
    if (k.step('end')) yield 'end';
  }
}

/**
 * Maps a destination page where there was no page (pte_none or the zero page): a device
 * page gets a device-private entry, writable iff the VMA is; a system page a present PTE.
 * Refused when the PTE changed since collection. Linux: migrate_vma_insert_page()
 */
function insertPage(k: Kernel, vma: Vma, addr: number, d: MigrateDst): boolean {
  const cur = vma.mm.pte(addr);
  const kind = cur.bits & PTE_KIND_MASK;
  if (!(kind === 0 || (kind === PTE_PRESENT && cur.pfn === ZERO_PFN && (cur.bits & PMD_HUGE) === 0))) return false;
  anonVmaPrepare(k, vma);
  pageAddNewAnonRmap(k, d.pfn, vma, addr);
  if (k.mem.has(d.pfn, PG_DEVICE_PRIVATE)) {
    k.setPte(vma.mm, addr, d.pfn, PTE_DEVICE | (vma.has(VM_WRITE) ? PTE_WRITE : 0));
  } else {
    lruAdd(k, d.pfn);
    k.setPte(vma.mm, addr, d.pfn, pteProtBits(vma, vma.has(VM_WRITE)) | PTE_YOUNG | PTE_DIRTY);
  }
  return true;
}

/**
 * Ends a migration: every migration entry of a migrated page now maps the destination
 * (device-private entry or present PTE, writable iff the entry was); pages that did not
 * migrate get their own mappings back; old pages and unused destinations are released.
 * Steps: remap, free. Linux: migrate_vma_finalize() → remove_migration_ptes()
 */
export function* migrateVmaFinalize(k: Kernel, m: MigrateVma): Op<void> {
  for (let i = 0; i < m.src.length; i++) {
    const s = m.src[i]!, d = m.dst[i];
    if (s.pfn === undefined) {
      if (d && !s.migrate) putAnyPage(k, d.pfn);
      continue;
    }
    if (!s.unmapped) continue;
    const migrated = s.migrate && d !== undefined;
    const to = migrated ? d.pfn : s.pfn;
    removeMigrationPtes(k, s.pfn, to);
    if (migrated && !k.mem.has(to, PG_DEVICE_PRIVATE)) lruAdd(k, to);
    // The allocation's reference of the destination (each mapping took its own).
    if (d) putAnyPage(k, d.pfn);
    releaseMigrationRef(k, s.pfn);
  }
  if (k.step('remap')) yield 'remap';
  if (k.step('free')) yield 'free';
}

/** Every migration entry for `from` now maps `to`. Linux: remove_migration_ptes() → remove_migration_pte() */
function removeMigrationPtes(k: Kernel, from: number, to: number): void {
  const mem = k.mem;
  const device = mem.has(to, PG_DEVICE_PRIVATE);
  for (const { vma, addr } of otherMappings(k, from, PTE_MIGRATION)) {
    const entry = vma.mm.pte(addr);
    const write = (entry.bits & PTE_WRITE) !== 0;
    mem.mapcount[to]!++;
    k.getPage(to);
    if (device) k.setPte(vma.mm, addr, to, PTE_DEVICE | (write ? PTE_WRITE : 0));
    else k.setPte(vma.mm, addr, to, pteProtBits(vma, write) | PTE_YOUNG | (write ? PTE_DIRTY : 0));
  }
}

/** Drops the migration's own reference on the old page, freeing it when it was the last. */
function releaseMigrationRef(k: Kernel, pfn: number): void {
  const mem = k.mem;
  mem.addPin(pfn, -1);
  k.check.frameTouched(pfn);
  if (mem.refcount[pfn] === 0) {
    if (mem.has(pfn, PG_DEVICE_PRIVATE)) freeDevicePrivatePage(k, pfn);
    k.freePage(pfn);
  }
}

/**
 * put_page() for a page that may be device-private: the owner hears of the free first.
 * Linux: folio_put() → free_zone_device_folio() → pgmap->ops->page_free()
 */
export function putAnyPage(k: Kernel, pfn: number): void {
  if (k.mem.has(pfn, PG_DEVICE_PRIVATE) && k.mem.refcount[pfn] === 1) freeDevicePrivatePage(k, pfn);
  k.putPage(pfn);
}

