import { describe, it, expect } from 'vitest';
import { Kernel } from './kernel.js';
import { doMmap } from './mmap.js';
import { userAccess } from './fault.js';
import { writebackFile } from './writeback.js';
import { mmuNotifierRegister } from './notifier.js';
import { PG_DIRTY } from './frames.js';
import { PTE_DIRTY, PTE_WRITE } from './pte.js';
import { runToCompletion } from '../sched/sequential.js';

const RW = { read: true, write: true, exec: false };

describe('writebackFile (write_cache_pages + folio_mkclean)', () => {
  it('cleans and write-protects shared mappings under PROTECTION_PAGE, writes the file, and a later write redirties', () => {
    const k = new Kernel({ frames: 64, swapSlots: 4, trace: true, invariants: true });
    const mm = k.createMm(1);
    const f = k.newFile('f', 2, ['a', 'b'], false);
    const sh = runToCompletion(k, doMmap(k, 1, mm, { len: 2 * 4096, prot: RW, shared: true, file: f }), 'mmap') as number;
    const pr = runToCompletion(k, doMmap(k, 1, mm, { len: 2 * 4096, prot: RW, shared: false, file: f }), 'mmap') as number;
    runToCompletion(k, userAccess(k, 1, mm, sh, true, 'new'), 'write');
    runToCompletion(k, userAccess(k, 1, mm, pr, false), 'read');
    const events: string[] = [];
    mmuNotifierRegister(mm, { name: 't', *invalidateRangeStart(r) { events.push(`${r.event} ${r.start === sh ? 'shared' : 'other'}`); return true; } });
    runToCompletion(k, writebackFile(k, 1_000_000, f), 'writeback');
    // only the shared mapping is cleaned; the private one is skipped (invalid_mkclean_vma)
    expect(events).toEqual(['PROTECTION_PAGE shared']);
    expect(f.backing).toEqual(['new', 'b']);
    const pfn = mm.pte(sh).pfn;
    expect(k.mem.has(pfn, PG_DIRTY)).toBe(false);
    expect(mm.pte(sh).bits & (PTE_WRITE | PTE_DIRTY)).toBe(0);
    runToCompletion(k, userAccess(k, 1, mm, sh, true, 'newer'), 'write');
    expect(k.mem.has(pfn, PG_DIRTY)).toBe(true);
    expect(mm.pte(sh).bits & PTE_WRITE).toBe(PTE_WRITE);
    runToCompletion(k, writebackFile(k, 1_000_000, f), 'writeback');
    expect(f.backing[0]).toBe('newer');
    expect(k.check.broken).toEqual([]);
  });

  it('does nothing for a clean file', () => {
    const k = new Kernel({ frames: 8, swapSlots: 4, trace: true, invariants: true });
    const f = k.newFile('f', 1, ['a'], false);
    runToCompletion(k, writebackFile(k, 1_000_000, f), 'writeback');
    expect(k.events).toEqual([]);
  });
});
