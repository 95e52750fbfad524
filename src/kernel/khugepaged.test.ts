import { describe, it, expect } from 'vitest';
import { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import { doMmap } from './mmap.js';
import { userAccess } from './fault.js';
import { khugepagedScan, collapseRange } from './khugepaged.js';
import { VM_HUGEPAGE, VM_NOHUGEPAGE } from './vma.js';
import { PMD_HUGE } from './pte.js';
import { KernelError, HPAGE_PMD_SIZE, type Value } from './types.js';
import { runToCompletion } from '../sched/sequential.js';

const RW = { read: true, write: true, exec: false };
const KT = 1_000_000;
/** A 2 MiB-aligned anonymous region of 512 pages without VM_HUGEPAGE (4 KiB faults). */
function setup(frames = 2048) {
  const k = new Kernel({ frames, swapSlots: 16, trace: true, invariants: true });
  const mm = k.createMm(1);
  const a = runToCompletion(k, doMmap(k, 1, mm, { len: HPAGE_PMD_SIZE, prot: RW, shared: false, huge: true }), 'mmap') as number;
  mm.vmas[0]!.flags &= ~VM_HUGEPAGE;
  return { k, mm, a };
}
const write = (k: Kernel, mm: Mm, addr: number, v: Value) => runToCompletion(k, userAccess(k, mm.id, mm, addr, true, v), 'write');
const read = (k: Kernel, mm: Mm, addr: number) => runToCompletion(k, userAccess(k, mm.id, mm, addr, false), 'read').value;
const thpEvents = (k: Kernel) => k.events.flatMap((e) => (e.e === 'thp' ? [e.what] : []));
const isHuge = (mm: Mm, a: number) => (mm.pte(a).bits & PMD_HUGE) !== 0;

describe('khugepaged', () => {
  it('collapses 4 KiB pages into a THP: contents copied, holes 0, old pages freed, counts on the head', () => {
    const { k, mm, a } = setup();
    write(k, mm, a, 'first');
    write(k, mm, a + 7 * 4096, 'seventh');
    const old = mm.pte(a).pfn;
    mm.vmas[0]!.flags |= VM_HUGEPAGE;
    runToCompletion(k, khugepagedScan(k, KT, mm, a, a + 4096), 'khugepaged');
    expect(isHuge(mm, a)).toBe(true);
    const head = k.mem.headOf(mm.pte(a).pfn);
    expect(k.mem.refcount[head]).toBe(1);
    expect(k.mem.mapcount[head]).toBe(1);
    expect(k.mem.isAllocated(old)).toBe(false);
    expect(read(k, mm, a)).toBe('first');
    expect(read(k, mm, a + 7 * 4096)).toBe('seventh');
    expect(read(k, mm, a + 8 * 4096)).toBe(0);
    expect(k.check.broken).toEqual([]);
  });

  it('needs VM_HUGEPAGE in madvise mode and leaves VM_NOHUGEPAGE alone', () => {
    const { k, mm, a } = setup();
    write(k, mm, a, 1);
    runToCompletion(k, khugepagedScan(k, KT, mm, a, a + 4096), 'khugepaged');
    expect(isHuge(mm, a)).toBe(false);
    mm.vmas[0]!.flags |= VM_NOHUGEPAGE;
    expect(runToCompletion(k, collapseRange(k, KT, mm, a, a + HPAGE_PMD_SIZE), 'collapse')).toBeInstanceOf(KernelError);
    expect(isHuge(mm, a)).toBe(false);
  });

  it('refuses an extent with a pinned page (is_refcount_suitable): MADV_COLLAPSE says EAGAIN', () => {
    const { k, mm, a } = setup();
    write(k, mm, a, 1);
    write(k, mm, a + 4096, 2);
    k.mem.addPin(mm.pte(a + 4096).pfn, 1);
    mm.vmas[0]!.flags |= VM_HUGEPAGE;
    runToCompletion(k, khugepagedScan(k, KT, mm, a, a + 4096), 'khugepaged');
    expect(isHuge(mm, a)).toBe(false);
    expect(thpEvents(k)).toContain('khugepaged: no collapse: page_count');
    const r = runToCompletion(k, collapseRange(k, KT, mm, a, a + HPAGE_PMD_SIZE), 'collapse');
    expect(r instanceof KernelError && r.errno).toBe('EAGAIN');
    expect(k.check.broken).toEqual([]);
  });

  it('khugepaged needs a present page (max_ptes_none 511); MADV_COLLAPSE does not, but needs a PTE table', () => {
    const { k, mm, a } = setup();
    read(k, mm, a); // a zero-page PTE: a PTE table, no page
    mm.vmas[0]!.flags |= VM_HUGEPAGE;
    runToCompletion(k, khugepagedScan(k, KT, mm, a, a + 4096), 'khugepaged');
    expect(thpEvents(k)).toContain('khugepaged: no collapse: exceed_none_pte');
    expect(runToCompletion(k, collapseRange(k, KT, mm, a, a + HPAGE_PMD_SIZE), 'collapse')).toBeUndefined();
    expect(isHuge(mm, a)).toBe(true);
    expect(read(k, mm, a + 4096)).toBe(0);
  });

  it('MADV_COLLAPSE of an extent without a page table fails with EINVAL (SCAN_PMD_NULL)', () => {
    const { k, mm, a } = setup();
    const r = runToCompletion(k, collapseRange(k, KT, mm, a, a + HPAGE_PMD_SIZE), 'collapse');
    expect(r instanceof KernelError && r.errno).toBe('EINVAL');
  });

  it('MADV_COLLAPSE drops and retakes a read mmap_lock its caller holds', () => {
    const { k, mm, a } = setup();
    write(k, mm, a, 'x');
    mm.mmapLock.tryRead(KT);
    expect(runToCompletion(k, collapseRange(k, KT, mm, a, a + HPAGE_PMD_SIZE), 'collapse')).toBeUndefined();
    expect(mm.mmapLock.readers).toEqual([KT]);
    mm.mmapLock.upRead(KT);
  });

  it('copies pages mapped by another process too; the other mapping keeps the old page', async () => {
    const { doFork } = await import('./fork.js');
    const { k, mm, a } = setup();
    write(k, mm, a, 'shared');
    const child = runToCompletion(k, doFork(k, 1, mm, 2), 'fork');
    const old = mm.pte(a).pfn;
    expect(runToCompletion(k, collapseRange(k, KT, mm, a, a + HPAGE_PMD_SIZE), 'collapse')).toBeUndefined();
    expect(child.pte(a).pfn).toBe(old);
    expect(k.mem.mapcount[old]).toBe(1);
    expect(read(k, mm, a)).toBe('shared');
    expect(read(k, child, a)).toBe('shared');
    expect(k.check.broken).toEqual([]);
  });
});
