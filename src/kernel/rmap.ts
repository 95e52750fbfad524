import type { Vma } from './vma.js';
import type { Kernel } from './kernel.js';
import { PG_ANON, PG_ANON_EXCLUSIVE, PG_KSM, PG_SWAPBACKED } from './frames.js';
import { isPresent, PTE_SPECIAL } from './pte.js';

/**
 * Reverse mapping for anonymous pages. A page records the anon_vma it was faulted under
 * and its linear index; every VMA linked into that anon_vma (the process's VMA and, after
 * fork, the children's copies) may map it at `vma_address()`. A PTE placed anywhere else
 * — a special PTE of a driver, an anon PTE a driver forged — is invisible to rmap.
 * Linux: struct anon_vma, anon_vma_chain, rmap_walk_anon() (mm/rmap.c)
 */
export class AnonVma {
  /** The VMAs that may map pages of this anon_vma (the rb_root of anon_vma_chains). */
  readonly vmas = new Set<Vma>();
  /** The only VMA of `vmas` when it has exactly one (rmapWalkOne's fast path), else undefined. */
  only: Vma | undefined = undefined;
  constructor(readonly id: number, readonly parent: AnonVma | undefined) {}
}

/** Links `vma` into `av` (anon_vma_chain_link). */
export function anonVmaLink(vma: Vma, av: AnonVma): void {
  if (!vma.anonVmas.includes(av)) vma.anonVmas.push(av);
  av.vmas.add(vma);
  av.only = av.vmas.size === 1 ? vma : undefined;
}

/** Unlinks a VMA from all its anon_vmas (unlink_anon_vmas). */
export function anonVmaUnlinkAll(vma: Vma): void {
  for (const av of vma.anonVmas) {
    av.vmas.delete(vma);
    av.only = av.vmas.size === 1 ? av.vmas.values().next().value : undefined;
  }
  vma.anonVmas = [];
}

/** A new VMA covering part of `from` (split) shares its anon_vmas. Linux: anon_vma_clone() */
export function anonVmaClone(to: Vma, from: Vma): void {
  for (const av of from.anonVmas) anonVmaLink(to, av);
}


/**
 * A freshly allocated anonymous page gets its first mapping: owner = the VMA's own
 * anon_vma, index = linear page index; exclusive. The allocation's reference becomes
 * the PTE's. Linux: folio_add_new_anon_rmap()
 */
export function pageAddNewAnonRmap(k: Kernel, pfn: number, vma: Vma, addr: number): void {
  const m = k.mem;
  const av = vma.anonVmas[0];
  if (!av) throw new Error('pageAddNewAnonRmap: VMA has no anon_vma (anon_vma_prepare missing)');
  m.owner[pfn] = av.id;
  m.index[pfn] = vma.linearIndex(addr);
  m.set(pfn, PG_ANON | PG_SWAPBACKED | PG_ANON_EXCLUSIVE);
  m.settle(pfn);
  m.mapcount[pfn]!++;
  k.check.frameTouched(pfn);
}

/** One more mapping of a page: mapcount +1, refcount +1. Linux: folio_add_anon_rmap_pte(), folio_add_file_rmap_pte() */
export function pageDupRmap(k: Kernel, pfn: number): void {
  const head = k.mem.headOf(pfn);
  k.mem.mapcount[head]!++;
  k.getPage(head);
}

/** Adds the first mapping of a page-cache page (mapcount +1; the caller holds the PTE's reference). */
export function pageAddFileRmap(k: Kernel, pfn: number): void {
  k.mem.mapcount[pfn]!++;
  k.check.frameTouched(pfn);
}

/** A mapping is gone: mapcount -1 (the caller then drops the PTE's reference). Linux: folio_remove_rmap_pte() */
export function pageRemoveRmap(k: Kernel, pfn: number): void {
  const head = k.mem.headOf(pfn);
  const mc = --k.mem.mapcount[head]!;
  k.check.frameTouched(head);
  if (mc < 0) {
    k.mem.mapcount[head] = 0;
    k.check.refcountUnderflow(head);
  }
}

/** Lazily gives an anonymous VMA its anon_vma on first fault. Linux: anon_vma_prepare() */
export function anonVmaPrepare(k: Kernel, vma: Vma): void {
  if (vma.anonVmas.length > 0) return;
  anonVmaLink(vma, k.newAnonVma(undefined));
}

/** A place where rmap found a page mapped. */
export interface RmapHit {
  readonly vma: Vma;
  readonly addr: number;
}

/**
 * Every VMA and address that may map `pfn`, found the way Linux finds them: through the
 * page's anon_vma (every VMA linked into it) or its file's i_mmap, at vma_address(); a
 * hit is kept only when the PTE there really maps this pfn. KSM pages keep their own list.
 * Linux: rmap_walk() → rmap_walk_anon(), rmap_walk_file(), rmap_walk_ksm()
 */
export function rmapWalk(k: Kernel, pfn: number): RmapHit[] {
  const m = k.mem;
  const head = m.headOf(pfn);
  const owner = m.owner[head]!;
  const hits: RmapHit[] = [];
  if (m.has(head, PG_KSM)) {
    for (const r of k.ksmRmap.get(head) ?? []) {
      const av = k.anonVmas[r.anonVma];
      if (av) for (const vma of av.vmas) considerHit(hits, vma, r.index + (pfn - head), pfn);
    }
  } else if (owner > 0) {
    const av = k.anonVmas[owner];
    if (av) for (const vma of av.vmas) considerHit(hits, vma, m.index[head]! + (pfn - head), pfn);
  } else if (owner < 0) {
    const f = k.files[-owner];
    if (f) for (const vma of f.mappings) considerHit(hits, vma, m.index[head]! + (pfn - head), pfn);
  }
  if (hits.length < 2) return hits;
  hits.sort((a, b) => a.vma.mm.id - b.vma.mm.id || a.addr - b.addr);
  return hits;
}

/** rmapWalkOne's answer when it found the page mapped: the VMA and the address. */
export interface RmapOne { vma: Vma | undefined; addr: number }

/**
 * rmapWalk for the commonest case without allocating: an anonymous (non-KSM) page whose
 * anon_vma has a single VMA. Returns -1 when the page is not that case (call rmapWalk),
 * else the number of hits rmapWalk would return (0 or 1), the hit in `out`.
 */
export function rmapWalkOne(k: Kernel, pfn: number, out: RmapOne): number {
  const m = k.mem;
  const head = m.headOf(pfn);
  const owner = m.owner[head]!;
  if (owner <= 0 || (m.flags[head]! & PG_KSM) !== 0) return -1;
  const av = k.anonVmas[owner];
  if (!av) return 0;
  const vma = av.only;
  if (vma === undefined) return av.vmas.size === 0 ? 0 : -1;
  const addr = vma.addressOf(m.index[head]! + (pfn - head));
  if (addr < 0) return 0;
  const pte = vma.mm.pteInto(addr, scratch);
  if (!isPresent(pte.bits) || (pte.bits & PTE_SPECIAL) !== 0 || pte.pfn !== pfn) return 0;
  out.vma = vma;
  out.addr = addr;
  return 1;
}

/** rmapWalk's read of a PTE (no allocation per candidate). */
const scratch = { pfn: 0, bits: 0 };

/** A candidate VMA of rmapWalk: kept when the PTE at the page's address there maps `pfn`. */
function considerHit(hits: RmapHit[], vma: Vma, index: number, pfn: number): void {
  const addr = vma.addressOf(index);
  if (addr < 0) return;
  const mm = vma.mm;
  for (let i = 0; i < hits.length; i++) if (hits[i]!.vma.mm === mm && hits[i]!.addr === addr) return;
  const pte = mm.pteInto(addr, scratch);
  if (isPresent(pte.bits) && (pte.bits & PTE_SPECIAL) === 0 && pte.pfn === pfn) hits.push({ vma, addr });
}
