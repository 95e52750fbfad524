/**
 * PTE encoding. A PTE is a pair (pfn-or-slot, bits) stored in two Int32Arrays of a
 * page-table page. The low 3 bits of `bits` are the entry's kind; the rest are flags.
 *
 *   kind NONE       pte_none()
 *   kind PRESENT    pfn, with WRITE/DIRTY/YOUNG/SPECIAL/PROTNONE/EXEC
 *   kind SWAP       a swap entry: the slot (is_swap_pte)
 *   kind MIGRATION  a migration entry: the old pfn, WRITE if it was writable
 *   kind DEVICE     a device-private entry (dmirror migrate): the device pfn, WRITE
 */
export const PTE_NONE = 0;
export const PTE_PRESENT = 1;
export const PTE_SWAP = 2;
export const PTE_MIGRATION = 3;
export const PTE_DEVICE = 4;
export const PTE_KIND_MASK = 7;

export const PTE_WRITE = 1 << 3;
export const PTE_DIRTY = 1 << 4;
export const PTE_YOUNG = 1 << 5;
/** pte_special(): inserted by vmf_insert_pfn/mixed and the zero page; no struct page refs. */
export const PTE_SPECIAL = 1 << 6;
/** pte_protnone(): present in memory but not accessible (NUMA hinting, PROT_NONE). */
export const PTE_PROTNONE = 1 << 7;
export const PTE_EXEC = 1 << 8;
/** The PTE maps a subpage of a PMD-mapped THP (only on the pmd entry). */
export const PMD_HUGE = 1 << 9;
/** An exclusive anonymous page (PG_anon_exclusive, carried on the swap entry). */
export const PTE_EXCLUSIVE = 1 << 10;

export type PteKind = 'none' | 'present' | 'swap' | 'migration' | 'device';

export function pteKind(bits: number): PteKind {
  switch (bits & PTE_KIND_MASK) {
    case PTE_NONE: return 'none';
    case PTE_PRESENT: return 'present';
    case PTE_SWAP: return 'swap';
    case PTE_MIGRATION: return 'migration';
    case PTE_DEVICE: return 'device';
    default: return 'none';
  }
}

export const isPresent = (bits: number): boolean => (bits & PTE_KIND_MASK) === PTE_PRESENT;
export const isNone = (bits: number): boolean => (bits & PTE_KIND_MASK) === PTE_NONE;

/** A decoded PTE, as events and expectations see it. */
export interface PteValue {
  readonly pfn: number;
  readonly bits: number;
}
export const NONE_PTE: PteValue = Object.freeze({ pfn: 0, bits: PTE_NONE });
