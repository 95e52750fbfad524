import type { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import { VM_MERGEABLE, VM_SPECIAL, type Vma } from './vma.js';
import { isPresent, PTE_SPECIAL, PTE_WRITE, PTE_DIRTY, PTE_YOUNG } from './pte.js';
import { ZERO_PFN, PG_ANON, PG_KSM, PG_SWAPCACHE, PG_DIRTY, PG_ANON_EXCLUSIVE, PG_HEAD, PG_TAIL } from './frames.js';
import { pageRemoveRmap } from './rmap.js';
import { mmuNotifierInvalidateRangeStart, mmuNotifierInvalidateRangeEnd, type NotifierRange } from './notifier.js';
import { pteProtBits } from './fault.js';
import { freeSwapCache } from './swap_state.js';
import { splitHugePageOp } from './huge.js';
import { PAGE_SIZE, type Op } from './types.js';

/**
 * KSM merges two anonymous pages with equal contents into one write-protected KSM page
 * (`ksm RANGE and RANGE`). Both VMAs must be VM_MERGEABLE (MADV_MERGEABLE), else nothing
 * happens. Page `a` becomes the KSM page (or already is one); `b`'s PTE is pointed at it
 * and b's page is freed. Later writes copy (do_wp_page never reuses a KSM page).
 *
 * Steps: write_protect_page(a): start (CLEAR, one page) → clear (PTE read-only and clean;
 * the dirty bit moves to the page) → end; the same for b; replace_page(b): start (CLEAR)
 * → clear (b's PTE → the KSM page, read-only; b's page loses its mapping and is freed)
 * → end. write_protect_page refuses a page whose refcount is not mapcount + 1 (our scan
 * reference) + swap cache — a GUP pin or an O_DIRECT read in flight — and then nothing is
 * merged. KSM pages keep their rmap as (anon_vma, index) items in k.ksmRmap, which
 * rmapWalk consults (the stable node's rmap_item list).
 *
 * mmspec compares the two pages directly; Linux reaches the pair through the unstable
 * tree (the checksum must also have been stable for one scan). A page of a THP is split
 * first (try_to_merge_one_page → split_huge_page).
 * Linux: mm/ksm.c cmp_and_merge_page() → try_to_merge_two_pages() →
 * try_to_merge_with_ksm_page() → try_to_merge_one_page() → write_protect_page(), replace_page()
 */
export function* ksmMergePair(k: Kernel, task: number, a: { mm: Mm; addr: number }, b: { mm: Mm; addr: number }): Op<void> {
  const va = a.mm.findVma(a.addr), vb = b.mm.findVma(b.addr);
  if (!va || !vb || !ksmVma(va) || !ksmVma(vb)) return;
  let pa = ksmPage(k, a.mm, a.addr), pb = ksmPage(k, b.mm, b.addr);
  if (pa === undefined || pb === undefined || pa === pb) return;
  const m = k.mem;
  for (const p of [pa, pb]) if (m.has(p, PG_HEAD | PG_TAIL)) yield* splitHugePageOp(k, task, p);
  pa = ksmPage(k, a.mm, a.addr); pb = ksmPage(k, b.mm, b.addr);
  if (pa === undefined || pb === undefined || pa === pb) return;
  // The stable page is kept; a plain page is merged into it.
  let kp = { vma: va, addr: a.addr, pfn: pa }, op = { vma: vb, addr: b.addr, pfn: pb };
  if (m.has(pb, PG_KSM) && !m.has(pa, PG_KSM)) [kp, op] = [op, kp];
  if (m.has(op.pfn, PG_KSM)) return;
  if (m.value[kp.pfn] !== m.value[op.pfn]) {
    k.emit({ e: 'ksm', pfn: op.pfn, what: `not merged with pfn ${kp.pfn}: contents differ` });
    return;
  }
  // Our scan references (follow_page(FOLL_GET) in the scan), held across the steps.
  m.addPin(kp.pfn, 1);
  m.addPin(op.pfn, 1);
  try {
    if (!m.has(kp.pfn, PG_KSM)) {
      if (!(yield* writeProtectPage(k, task, kp.vma, kp.addr, kp.pfn))) return;
    }
    if (!(yield* writeProtectPage(k, task, op.vma, op.addr, op.pfn))) return;
    if (m.value[kp.pfn] !== m.value[op.pfn]) return; // pages_identical() after write-protect
    if (!m.has(kp.pfn, PG_KSM)) stableTreeInsert(k, kp.pfn);
    yield* replacePage(k, task, op.vma, op.addr, op.pfn, kp.pfn);
  } finally {
    m.addPin(kp.pfn, -1);
    k.check.frameTouched(kp.pfn);
    if (m.isAllocated(op.pfn)) {
      m.addPin(op.pfn, -1);
      if (m.refcount[op.pfn] === 0) k.freePage(op.pfn); else k.check.frameTouched(op.pfn);
    }
  }
}

/** KSM works only on VM_MERGEABLE anonymous private VMAs. Linux: vma_ksm_compatible() */
function ksmVma(vma: Vma): boolean {
  return vma.has(VM_MERGEABLE) && vma.isAnon && !vma.has(VM_SPECIAL);
}

/** The anonymous page mapped at `addr`, if a normal one is. Linux: get_mergeable_page() */
function ksmPage(k: Kernel, mm: Mm, addr: number): number | undefined {
  const pte = mm.pte(addr);
  if (!isPresent(pte.bits) || (pte.bits & PTE_SPECIAL) !== 0 || pte.pfn === ZERO_PFN) return undefined;
  return k.mem.has(pte.pfn, PG_ANON) ? pte.pfn : undefined;
}

/**
 * Makes the PTE mapping `pfn` at `addr` read-only and clean, unless the page has
 * references beyond its mappings, our scan reference and the swap cache (then the PTE is
 * restored and the merge refused). The page stops being exclusive. Returns success.
 * Linux: write_protect_page()
 */
function* writeProtectPage(k: Kernel, task: number, vma: Vma, addr: number, pfn: number): Op<boolean> {
  const mm = vma.mm, m = k.mem;
  const range: NotifierRange = { mm, start: addr, end: addr + PAGE_SIZE, event: 'CLEAR', blockable: true, task };
  yield* mmuNotifierInvalidateRangeStart(k, range);
  if (k.step('start')) yield 'start';
  let ok = false;
  const pte = mm.pte(addr);
  if (isPresent(pte.bits) && pte.pfn === pfn) {
    const swapped = m.has(pfn, PG_SWAPCACHE) ? 1 : 0;
    const expected = m.mapcount[pfn]! + 1 + swapped;
    if (m.refcount[pfn] !== expected) {
      k.emit({ e: 'ksm', pfn, what: `write_protect_page refused: refcount ${m.refcount[pfn]}, expected ${expected} (pinned)` });
    } else {
      ok = true;
      m.clear(pfn, PG_ANON_EXCLUSIVE);
      if ((pte.bits & (PTE_WRITE | PTE_DIRTY)) !== 0) {
        if ((pte.bits & PTE_DIRTY) !== 0) m.set(pfn, PG_DIRTY);
        k.setPte(mm, addr, pfn, pte.bits & ~(PTE_WRITE | PTE_DIRTY));
      }
    }
  }
  if (k.step('clear')) yield 'clear';
  yield* mmuNotifierInvalidateRangeEnd(k, range);
  if (k.step('end')) yield 'end';
  return ok;
}

/** `pfn` becomes a KSM page: PG_KSM, its rmap as a stable node's list. Linux: stable_tree_insert(), folio_set_stable_node() */
function stableTreeInsert(k: Kernel, pfn: number): void {
  const m = k.mem;
  m.set(pfn, PG_KSM);
  k.ksmRmap.set(pfn, [{ anonVma: m.owner[pfn]!, index: m.index[pfn]! }]);
  k.emit({ e: 'ksm', pfn, what: 'stable (KSM page)' });
}

/**
 * Points b's PTE at the KSM page (read-only, with the VMA's protection); b's page loses
 * its mapping, its swap copy if unmapped, and is freed when our reference goes.
 * Linux: replace_page()
 */
function* replacePage(k: Kernel, task: number, vma: Vma, addr: number, old: number, kpfn: number): Op<void> {
  const mm = vma.mm, m = k.mem;
  const range: NotifierRange = { mm, start: addr, end: addr + PAGE_SIZE, event: 'CLEAR', blockable: true, task };
  yield* mmuNotifierInvalidateRangeStart(k, range);
  if (k.step('start')) yield 'start';
  const pte = mm.pte(addr);
  if (isPresent(pte.bits) && pte.pfn === old) {
    m.mapcount[kpfn]!++;
    k.getPage(kpfn);
    k.ksmRmap.get(kpfn)!.push({ anonVma: m.owner[old]!, index: m.index[old]! });
    k.setPte(mm, addr, kpfn, pteProtBits(vma, false) | PTE_YOUNG);
    pageRemoveRmap(k, old);
    if (m.mapcount[old] === 0) freeSwapCache(k, old);
    k.putPage(old);
    k.emit({ e: 'ksm', pfn: kpfn, what: `merged pfn ${old}` });
  }
  if (k.step('clear')) yield 'clear';
  yield* mmuNotifierInvalidateRangeEnd(k, range);
  if (k.step('end')) yield 'end';
}
