import { describe, expect, it } from 'vitest';
import { PageTable } from './pagetable.js';
import { PMD_HUGE, PTE_NONE, PTE_PRESENT } from './pte.js';
import { HPAGE_PMD_SIZE, PAGE_SIZE } from './types.js';

/** Writes a PTE directly (what Kernel.setPte does, without the checker). */
function put(pt: PageTable, addr: number, pfn: number, bits: number): void {
  const page = pt.ptePage(addr, true)!;
  const i = PageTable.pteIndex(addr);
  page.pfn[i] = pfn;
  page.bits[i] = bits;
  page.used++;
}

const read = (pt: PageTable, addr: number) => pt.readInto(addr, { pfn: -1, bits: -1 });

describe('PageTable.readInto (the walk cache of reads)', () => {
  const base = 0x7f00_0000_0000; // above 2^32: indices come from division

  it('reads PTEs of the cached PTE page and of others, and none where nothing is mapped', () => {
    const pt = new PageTable();
    put(pt, base, 10, PTE_PRESENT);
    put(pt, base + HPAGE_PMD_SIZE + PAGE_SIZE, 11, PTE_PRESENT);
    expect(read(pt, base)).toEqual({ pfn: 10, bits: PTE_PRESENT });
    expect(read(pt, base + PAGE_SIZE)).toEqual({ pfn: 0, bits: PTE_NONE });
    expect(read(pt, base + HPAGE_PMD_SIZE + PAGE_SIZE)).toEqual({ pfn: 11, bits: PTE_PRESENT });
    expect(read(pt, base)).toEqual({ pfn: 10, bits: PTE_PRESENT });
    expect(read(pt, base + 2 * HPAGE_PMD_SIZE)).toEqual({ pfn: 0, bits: PTE_NONE });
    expect(read(pt, base + 2 ** 40)).toEqual({ pfn: 0, bits: PTE_NONE });
  });

  it('sees a huge PMD installed in the slot of the PTE page it last walked to', () => {
    const pt = new PageTable();
    put(pt, base, 10, PTE_PRESENT);
    expect(read(pt, base).pfn).toBe(10);
    pt.pmdPage(base, false)!.setHuge(PageTable.pmdIndex(base), 512, PTE_PRESENT);
    expect(read(pt, base + 3 * PAGE_SIZE)).toEqual({ pfn: 515, bits: PTE_PRESENT | PMD_HUGE });
    // The huge zero page shows pfn 0 at every subpage.
    pt.pmdPage(base, false)!.setHuge(PageTable.pmdIndex(base), 0, PTE_PRESENT);
    expect(read(pt, base + 7 * PAGE_SIZE)).toEqual({ pfn: 0, bits: PTE_PRESENT | PMD_HUGE });
  });

  it('forgets a PTE page that was freed', () => {
    const pt = new PageTable();
    put(pt, base, 10, PTE_PRESENT);
    expect(read(pt, base).pfn).toBe(10);
    const page = pt.ptePage(base, false)!;
    page.bits[PageTable.pteIndex(base)] = PTE_NONE;
    page.used = 0;
    pt.freePtePage(base);
    expect(pt.ptePages).toBe(0);
    expect(read(pt, base)).toEqual({ pfn: 0, bits: PTE_NONE });
    // A new PTE page in the same slot is the one read.
    put(pt, base, 12, PTE_PRESENT);
    expect(read(pt, base)).toEqual({ pfn: 12, bits: PTE_PRESENT });
  });
});
