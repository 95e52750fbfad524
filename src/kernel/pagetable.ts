import { PAGE_SIZE, PTRS_PER_TABLE, HPAGE_PMD_SIZE } from './types.js';
import { int32Array } from './slab.js';
import { PTE_NONE, PMD_HUGE } from './pte.js';

/**
 * A sparse x86-64 4-level page table: PGD → PUD → PMD → PTE, 512 entries each.
 * Upper levels hold only their populated entries (maps by index: a few entries each in
 * practice, and an explore's replicas create thousands of page tables); a PTE page stores
 * its 512 entries in two Int32Arrays (pfn-or-slot, bits). A PMD slot holds either a PTE
 * page or a huge mapping of a 2 MiB THP (pmd_trans_huge). Memory grows with mapped pages only.
 *
 * Indices come from division (addresses exceed 32 bits).
 */
export class PtePage {
  readonly pfn = int32Array(PTRS_PER_TABLE);
  readonly bits = int32Array(PTRS_PER_TABLE);
  /** Number of non-none entries: a PTE page with none left may be freed (free_pte_range). */
  used = 0;
}

/** Shared, never written: the huge entries of a PMD page that has none. */
const NO_HUGE = new Int32Array(PTRS_PER_TABLE);

export class PmdPage {
  /** The PTE pages of the populated slots, by PMD index. */
  readonly ptes = new Map<number, PtePage>();
  /**
   * A huge PMD: head pfn and PTE-style bits; bits 0 = no huge mapping. Until the first huge
   * mapping they are a shared empty table (most PMD pages never hold one): write through
   * setHuge().
   */
  hugePfn: Int32Array = NO_HUGE;
  hugeBits: Int32Array = NO_HUGE;

  setHuge(mi: number, pfn: number, bits: number): void {
    if (this.hugeBits === NO_HUGE) {
      this.hugePfn = int32Array(PTRS_PER_TABLE);
      this.hugeBits = int32Array(PTRS_PER_TABLE);
    }
    this.hugePfn[mi] = pfn;
    this.hugeBits[mi] = bits;
  }
}

/**
 * `q % PTRS_PER_TABLE` for an integer index q: for a non-negative safe integer by its low
 * bits (ToUint32 is exact modulo 2^32), which avoids a floating-point modulo (indices of
 * addresses above 2^31 are not small integers); anything else by `%` itself.
 */
function tableIndex(q: number): number {
  return q >= 0 && q <= Number.MAX_SAFE_INTEGER ? (q >>> 0) & (PTRS_PER_TABLE - 1) : q % PTRS_PER_TABLE;
}

function none(out: { pfn: number; bits: number }): { pfn: number; bits: number } {
  out.pfn = 0;
  out.bits = PTE_NONE;
  return out;
}

type PudPage = Map<number, PmdPage>;
type PgdPage = Map<number, PudPage>;

export const PUD_SPAN = HPAGE_PMD_SIZE * PTRS_PER_TABLE; // 1 GiB
const PGD_SPAN = PUD_SPAN * PTRS_PER_TABLE; // 512 GiB

export class PageTable {
  private readonly pgd: PgdPage = new Map();
  /** Page-table pages in use, for the final state and the memory figures. */
  ptePages = 0;
  pmdPages = 0;
  // One-entry walk cache: consecutive accesses mostly hit the same PTE page. The PMD page
  // holding it and its slot come with it, for readers that must check for a huge PMD first.
  private lastKey = -1;
  private lastPte: PtePage | undefined;
  private lastPtePmd: PmdPage | undefined;
  private lastPteMi = 0;

  // One-entry PMD-page cache (PMD pages are never freed): key = the 1 GiB slot's number.
  private lastPudKey = -1;
  private lastPmd: PmdPage | undefined;

  /** Linux: pmd_offset(pud_offset(pgd_offset())) with allocation (__pmd_alloc) when `create`. */
  pmdPage(addr: number, create: boolean): PmdPage | undefined {
    const key = Math.floor(addr / PUD_SPAN);
    if (key === this.lastPudKey) return this.lastPmd;
    const pmd = this.pmdWalk(addr, create);
    if (pmd) {
      this.lastPudKey = key;
      this.lastPmd = pmd;
    }
    return pmd;
  }

  private pmdWalk(addr: number, create: boolean): PmdPage | undefined {
    const gi = tableIndex(Math.floor(addr / PGD_SPAN));
    let pud = this.pgd.get(gi);
    if (!pud) {
      if (!create) return undefined;
      this.pgd.set(gi, (pud = new Map()));
    }
    const ui = tableIndex(Math.floor(addr / PUD_SPAN));
    let pmd = pud.get(ui);
    if (!pmd) {
      if (!create) return undefined;
      pud.set(ui, (pmd = new PmdPage()));
      this.pmdPages++;
    }
    return pmd;
  }

  static pmdIndex(addr: number): number {
    return tableIndex(Math.floor(addr / HPAGE_PMD_SIZE));
  }
  static pteIndex(addr: number): number {
    return tableIndex(Math.floor(addr / PAGE_SIZE));
  }

  /** The PTE page covering `addr`, allocating it when `create` (pte_alloc). */
  ptePage(addr: number, create: boolean): PtePage | undefined {
    const key = Math.floor(addr / HPAGE_PMD_SIZE);
    if (key === this.lastKey && this.lastPte) return this.lastPte;
    const pmd = this.pmdPage(addr, create);
    if (!pmd) return undefined;
    const mi = tableIndex(key);
    let pte = pmd.ptes.get(mi);
    if (!pte) {
      if (!create) return undefined;
      pmd.ptes.set(mi, (pte = new PtePage()));
      this.ptePages++;
    }
    this.remember(key, pte, pmd, mi);
    return pte;
  }

  /**
   * Reads the entry mapping `addr` into `out`: a PTE, or for a huge PMD the subpage's pfn
   * with PMD_HUGE set; none when nothing maps it. The walk of Mm.pteInto, served from the
   * walk cache when `addr` is in the PTE page last walked to (reads on hot paths, such as
   * reclaim's rmap walk, unmap and invariant check of one page, hit it).
   */
  readInto(addr: number, out: { pfn: number; bits: number }): { pfn: number; bits: number } {
    const key = Math.floor(addr / HPAGE_PMD_SIZE);
    let pmd: PmdPage | undefined, mi: number, p: PtePage | undefined;
    if (key === this.lastKey && this.lastPte) {
      pmd = this.lastPtePmd!;
      mi = this.lastPteMi;
      p = this.lastPte;
    } else {
      pmd = this.pmdPage(addr, false);
      if (!pmd) return none(out);
      mi = tableIndex(key);
      p = undefined;
    }
    const hb = pmd.hugeBits[mi]!;
    if (hb !== 0) {
      // The huge zero page (pfn 0) shows the zero page at every subpage (is_huge_zero_pmd).
      const hp = pmd.hugePfn[mi]!;
      out.pfn = hp === 0 ? 0 : hp + Math.floor((addr % HPAGE_PMD_SIZE) / PAGE_SIZE);
      out.bits = hb | PMD_HUGE;
      return out;
    }
    if (!p) {
      p = pmd.ptes.get(mi);
      if (!p) return none(out);
      this.remember(key, p, pmd, mi);
    }
    const i = PageTable.pteIndex(addr);
    out.pfn = p.pfn[i]!;
    out.bits = p.bits[i]!;
    return out;
  }

  /** Fills the walk cache: the PTE page of 2 MiB slot `key`, slot `mi` of PMD page `pmd`. */
  private remember(key: number, pte: PtePage, pmd: PmdPage, mi: number): void {
    this.lastKey = key;
    this.lastPte = pte;
    this.lastPtePmd = pmd;
    this.lastPteMi = mi;
  }

  /** Drops an empty PTE page (free_pte_range). */
  freePtePage(addr: number): void {
    const pmd = this.pmdPage(addr, false);
    if (!pmd) return;
    const mi = PageTable.pmdIndex(addr);
    const pte = pmd.ptes.get(mi);
    if (!pte || pte.used !== 0) return;
    pmd.ptes.delete(mi);
    this.ptePages--;
    this.lastKey = -1;
    this.lastPte = undefined;
    this.lastPtePmd = undefined;
  }

  /** Visits every populated PTE page overlapping [start, end), in address order. */
  *ptePagesIn(start: number, end: number): Generator<[number, PtePage]> {
    for (let base = start - (start % HPAGE_PMD_SIZE); base < end; base += HPAGE_PMD_SIZE) {
      const pmd = this.pmdPage(base, false);
      if (!pmd) {
        // Skip the rest of this empty 1 GiB PUD slot.
        base = base - (base % PUD_SPAN) + PUD_SPAN - HPAGE_PMD_SIZE;
        continue;
      }
      const pte = pmd.ptes.get(PageTable.pmdIndex(base));
      if (pte) yield [base, pte];
    }
  }

  readPfn(addr: number): number {
    const p = this.ptePage(addr, false);
    return p ? p.pfn[PageTable.pteIndex(addr)]! : 0;
  }
  readBits(addr: number): number {
    const p = this.ptePage(addr, false);
    return p ? p.bits[PageTable.pteIndex(addr)]! : PTE_NONE;
  }
}
