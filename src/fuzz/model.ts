/**
 * What every page must hold, kept beside a generated scenario (src/fuzz/generate.ts) as it
 * runs. The model knows Linux's rules for contents, not its mechanisms: a private anonymous
 * page is the process's own (copied at fork), a shared one is one object for all its
 * mappers, a private file page reads the file until the process writes it, MADV_DONTNEED
 * drops private copies, MADV_FREE makes a private page "old value or zero" until it is
 * written again, and a mirror view reads whatever its target maps at the mirrored address.
 * Reclaim, swap, migration, compaction, THP, KSM and writeback change no content: that is
 * what the campaign checks.
 */
import type { Value } from '../kernel/types.js';

export const PAGE = 4096;

/** One page of contents. `lazy`: MADV_FREE'd and not written since (reads `v` or 0). */
export interface Cell { v: Value; lazy: boolean }

export interface FileM { readonly name: string; readonly pages: number; readonly cells: Cell[] }

export interface DevM {
  readonly name: string;
  readonly opener: ProcM;
  readonly target: ProcM;
  /** The options written after `with` (empty: the defaults). */
  readonly options: string;
  /** A design that breaks no invariant and loses nothing when no race runs against it. */
  readonly safe: boolean;
  readonly fault: 'hmm' | 'snapshot';
  readonly copyOnFork: boolean;
  fdOpen: boolean;
}

export type PageM =
  /** `onDevice`: migrated to dmirror's device memory and not touched by the CPU since. */
  | { readonly k: 'anon'; readonly cell: Cell; onDevice?: boolean }
  /** A file page: `own` is a private mapping's copy once written. */
  | { readonly k: 'file'; readonly file: FileM; readonly idx: number; own?: Cell }
  /** A mirror view page: mirrors `taddr` of the device's target. `copy`: a fork's copy of it. */
  | { readonly k: 'view'; readonly dev: DevM; readonly taddr: number; readonly copy: boolean };

export type Prot = 'none' | 'r' | 'rw' | 'rx' | 'rwx';
export const readable = (p: Prot): boolean => p !== 'none';
export const writable = (p: Prot): boolean => p === 'rw' || p === 'rwx';

export interface RegionM {
  readonly name: string;
  readonly kind: 'anon' | 'file' | 'view';
  readonly shared: boolean;
  readonly huge: boolean;
  start: number;
  /** null: unmapped (munmap, or a view fork did not copy). */
  readonly pages: (PageM | null)[];
  readonly prots: Prot[];
  readonly file?: FileM;
  readonly dev?: DevM;
}

export interface ProcM {
  readonly name: string;
  readonly pid: number;
  alive: boolean;
  /** Killed by the OOM killer (rather than exited): what it mapped is in an uncertain state. */
  killed: boolean;
  readonly regions: Map<string, RegionM>;
}

/** What an access may end in: one of these, else the simulator is wrong. `values` undefined: any value. */
export interface Outcome { readonly sig?: 'SIGSEGV' | 'SIGBUS'; readonly values?: readonly Value[] }

export const ANYTHING: readonly Outcome[] = [];

/** The region page that `addr` of `p` hits now (newest mapping first), or undefined. */
export function lookup(p: ProcM, addr: number): { region: RegionM; idx: number; page: PageM } | undefined {
  const rs = [...p.regions.values()];
  for (let i = rs.length - 1; i >= 0; i--) {
    const r = rs[i]!;
    if (addr < r.start || addr >= r.start + r.pages.length * PAGE) continue;
    const idx = Math.floor((addr - r.start) / PAGE);
    const page = r.pages[idx];
    if (page) return { region: r, idx, page };
  }
  return undefined;
}

/** The values a non-view page may hold now. */
export function valuesOf(page: PageM): readonly Value[] | undefined {
  switch (page.k) {
    case 'anon': return page.cell.lazy && page.cell.v !== 0 ? [page.cell.v, 0] : [page.cell.v];
    case 'file': return page.own ? (page.own.lazy && page.own.v !== 0 ? [page.own.v, 0] : [page.own.v]) : [page.file.cells[page.idx]!.v];
    case 'view': return undefined;
  }
}

/**
 * What a read (write: a store) of `addr` by `p` may end in. `unsafe`: a driver variant or a
 * killed process is involved, and anything goes (only crashes and determinism are checked).
 */
export function accessOutcomes(p: ProcM, addr: number, write: boolean, tiny = false): readonly Outcome[] {
  const hit = lookup(p, addr);
  if (!hit) return [{ sig: 'SIGSEGV' }];
  const prot = hit.region.prots[hit.idx]!;
  if (!readable(prot) || (write && !writable(prot))) return [{ sig: 'SIGSEGV' }];
  if (hit.page.k !== 'view') return write ? [{}] : [{ values: valuesOf(hit.page)! }];
  const outs = viewOutcomes(hit.page, write);
  // In a tiny memory the mirror's remote fault may find no frame: VM_FAULT_OOM → SIGBUS.
  return tiny && outs.length > 0 && !outs.some((o) => o.sig) ? [...outs, { sig: 'SIGBUS' }] : outs;
}

/** A mirror fault (spec-language.md §7): hmm_range_fault of the target address. */
function viewOutcomes(page: Extract<PageM, { k: 'view' }>, write: boolean): readonly Outcome[] {
  const dev = page.dev;
  if (!dev.safe || page.copy || dev.target.killed) return ANYTHING;
  if (!dev.target.alive) return [{ sig: 'SIGBUS' }];
  const t = lookup(dev.target, page.taddr);
  // A hole, a PFNMAP target, a target the access may not use: hmm_range_fault fails → SIGBUS.
  if (!t) return [{ sig: 'SIGBUS' }];
  // A PFNMAP view is refused by hmm_vma_walk_test; a MIXEDMAP one is walked (and faulted).
  // The anonymous design's view is an ordinary anonymous VMA: walked (and faulted) too.
  if (t.page.k === 'view') return /mixedmap|vma=anon/.test(t.page.dev.options) ? ANYTHING : [{ sig: 'SIGBUS' }];
  const prot = t.region.prots[t.idx]!;
  if (!readable(prot) || (write && !writable(prot))) return [{ sig: 'SIGBUS' }];
  const ok: Outcome = write ? {} : { values: valuesOf(t.page)! };
  // fault=snapshot: a target page not present now (never touched, swapped, …) is SIGBUS.
  return dev.fault === 'snapshot' ? [ok, { sig: 'SIGBUS' }] : [ok];
}

/** The page a store through `addr` of `p` lands in (the target's, through a view). */
export function storeTarget(p: ProcM, addr: number): { region: RegionM; idx: number; page: PageM } | undefined {
  const hit = lookup(p, addr);
  if (!hit || hit.page.k !== 'view') return hit;
  return lookup(hit.page.dev.target, hit.page.taddr);
}

/** Records a store of `v` into a page (a private mapping's write makes its own copy). */
export function store(region: RegionM, idx: number, page: PageM, v: Value): void {
  switch (page.k) {
    case 'anon': page.cell.v = v; page.cell.lazy = false; return;
    case 'file':
      if (region.shared) { page.file.cells[page.idx]!.v = v; return; }
      page.own = { v, lazy: false };
      return;
    case 'view': return;
  }
}

/** A fork's copy of a page: private contents are copied, shared ones stay one object. */
export function forkPage(region: RegionM, page: PageM): PageM | null {
  switch (page.k) {
    case 'anon': return region.shared ? page : { k: 'anon', cell: { ...page.cell }, ...(page.onDevice ? { onDevice: true } : {}) };
    case 'file': return region.shared ? page : { k: 'file', file: page.file, idx: page.idx, ...(page.own ? { own: { ...page.own } } : {}) };
    case 'view': return page.dev.copyOnFork ? { k: 'view', dev: page.dev, taddr: page.taddr, copy: true } : null;
  }
}

/** MADV_DONTNEED: private pages lose their contents (anonymous: zero; file: the file's again). */
export function dontneed(region: RegionM, idx: number): void {
  const page = region.pages[idx];
  if (!page || region.shared) return;
  if (page.k === 'anon') { page.cell.v = 0; page.cell.lazy = false; }
  if (page.k === 'file') delete page.own;
}

/** MADV_FREE of a private anonymous page: its contents may be dropped until written. */
export function lazyFree(region: RegionM, idx: number): void {
  const page = region.pages[idx];
  if (page?.k === 'anon' && !region.shared) page.cell.lazy = true;
}

/** A read of a lazily freed page that returned `v` settles it when it was dropped. */
export function observed(page: PageM, v: Value): void {
  const cell = page.k === 'anon' ? page.cell : page.k === 'file' ? page.own : undefined;
  if (cell?.lazy && v === 0) { cell.v = 0; cell.lazy = false; }
}
