import { describe, it, expect } from 'vitest';
import { Kernel } from '../kernel/kernel.js';
import type { Mm } from '../kernel/mm.js';
import { doMmap } from '../kernel/mmap.js';
import { doMprotect } from '../kernel/mprotect.js';
import { userAccess } from '../kernel/fault.js';
import { PTE_DEVICE, PTE_KIND_MASK, PTE_WRITE } from '../kernel/pte.js';
import { PG_DIRTY } from '../kernel/frames.js';
import { KernelError, PAGE_SIZE, type Op, type Value } from '../kernel/types.js';
import { runToCompletion } from '../sched/sequential.js';
import { VM_DONTEXPAND, VM_IO, VM_MIXEDMAP, VM_PFNMAP } from '../kernel/vma.js';
import { HMM_PFN_VALID, HMM_PFN_WRITE, HMM_PFN_ERROR, HMM_PFN_PMD } from '../kernel/hmm.js';
import { dmirrorOpen, dmirrorClose, mkentry, type Dmirror } from './dmirror.js';

const RW = { read: true, write: true, exec: false };
const R = { read: true, write: false, exec: false };
const NONE = { read: false, write: false, exec: false };

function setup(pages = 4) {
  const k = new Kernel({ frames: 64, swapSlots: 16, trace: true, invariants: true });
  const mm = k.createMm(1);
  const a = run(k, doMmap(k, 1, mm, { len: pages * PAGE_SIZE, prot: RW, shared: false })) as number;
  const d = dmirrorOpen(k, mm, 'd');
  return { k, mm, a, d };
}
function run<T>(k: Kernel, op: Op<T>): T {
  const r = runToCompletion(k, op, 'test');
  const v = k.check.takeFresh();
  if (v.length) throw new Error(`violation ${v[0]!.kind}: ${v[0]!.detail}`);
  return r;
}
const write = (k: Kernel, mm: Mm, addr: number, v: Value) => run(k, userAccess(k, mm.id, mm, addr, true, v));
const read = (k: Kernel, mm: Mm, addr: number) => run(k, userAccess(k, mm.id, mm, addr, false)).value;
const ok = <T>(r: T | KernelError): T => { if (r instanceof KernelError) throw r; return r; };
const errno = (r: unknown) => (r instanceof KernelError ? r.errno : 'ok');

describe('HMM_DMIRROR_READ / WRITE', () => {
  it('counts fault rounds, not pages: one round fills the rest, none when all is mapped', () => {
    const { k, mm, a, d } = setup();
    write(k, mm, a + PAGE_SIZE, 'x');
    const r = ok(run(k, d.read(1, a, 4)));
    expect(r).toMatchObject({ faults: 1, cpages: 4, values: [0, 'x', 0, 0] });
    expect(ok(run(k, d.read(1, a, 4))).faults).toBe(0);
  });

  it('refaults read-only entries for a write; the CPU sees the data', () => {
    const { k, mm, a, d } = setup();
    ok(run(k, d.read(1, a, 2)));
    const w = ok(run(k, d.write(1, a, ['p', 'q'])));
    expect(w).toMatchObject({ faults: 1, cpages: 2 });
    expect(read(k, mm, a)).toBe('p');
    expect(read(k, mm, a + PAGE_SIZE)).toBe('q');
    expect(d.pt.get(a / PAGE_SIZE)).toMatchObject({ write: true });
  });

  it('a device write marks a clean shmem page dirty, also through a WRITE entry stored by a read', () => {
    const k = new Kernel({ frames: 64, swapSlots: 16, trace: true, invariants: true });
    const mm = k.createMm(1);
    const a = run(k, doMmap(k, 1, mm, { len: 2 * PAGE_SIZE, prot: RW, shared: true })) as number;
    const d = dmirrorOpen(k, mm, 'd');
    read(k, mm, a);
    const pfn = mm.pte(a).pfn;
    expect(k.mem.has(pfn, PG_DIRTY)).toBe(false);
    expect(ok(run(k, d.read(1, a, 1))).faults).toBe(1);
    expect(k.mem.has(pfn, PG_DIRTY)).toBe(false);
    expect(ok(run(k, d.write(1, a, ['w'])))).toMatchObject({ faults: 0, cpages: 1 });
    expect(k.mem.has(pfn, PG_DIRTY)).toBe(true);
  });

  it('EFAULT on PROT_NONE, EPERM for a write without VM_WRITE, EINVAL on a bad address', () => {
    const { k, mm, a, d } = setup();
    run(k, doMprotect(k, 1, mm, a, PAGE_SIZE, NONE));
    expect(errno(run(k, d.read(1, a, 1)))).toBe('EFAULT');
    run(k, doMprotect(k, 1, mm, a, PAGE_SIZE, R));
    expect(errno(run(k, d.write(1, a, [1])))).toBe('EPERM');
    expect(errno(run(k, d.read(1, a + 1, 1)))).toBe('EINVAL');
    expect(errno(run(k, d.read(1, a, 0)))).toBe('EINVAL');
  });
});

describe('invalidate callback', () => {
  it('erases the entries of the range and the one at its end (xa_for_each_range is inclusive)', () => {
    const { k, mm, a, d } = setup();
    ok(run(k, d.read(1, a, 4)));
    run(k, doMprotect(k, 1, mm, a, PAGE_SIZE, R));
    expect([...d.pt.keys()].map((v) => v - a / PAGE_SIZE)).toEqual([2, 3]);
  });
});

describe('migrate to device-private memory and back', () => {
  it('replaces the PTEs with device-private entries; a CPU read migrates one page back', () => {
    const { k, mm, a, d } = setup();
    write(k, mm, a, 'v');
    const m = ok(run(k, d.migrate(1, a, 4)));
    expect(m).toMatchObject({ cpages: 4, values: ['v', 0, 0, 0] });
    const pte = mm.pte(a);
    expect(pte.bits & PTE_KIND_MASK).toBe(PTE_DEVICE);
    expect(pte.bits & PTE_WRITE).toBe(PTE_WRITE);
    expect(k.mem.refcount[pte.pfn]).toBe(1);
    expect(k.mem.mapcount[pte.pfn]).toBe(1);
    expect(read(k, mm, a)).toBe('v');
    expect(mm.pte(a).bits & PTE_KIND_MASK).not.toBe(PTE_DEVICE);
    expect(d.pt.has(a / PAGE_SIZE)).toBe(false);
    expect(mm.pte(a + PAGE_SIZE).bits & PTE_KIND_MASK).toBe(PTE_DEVICE);
  });

  it('EINVAL for a VM_PFNMAP or VM_MIXEDMAP VMA (migrate_vma_setup refuses VM_SPECIAL), with no MIGRATE notifier; the pieces before it stay migrated', () => {
    for (const special of [VM_PFNMAP | VM_IO, VM_MIXEDMAP]) {
      const { k, mm, a, d } = setup(2);
      write(k, mm, a, 'v');
      // A special VMA right after the anonymous one: the command's range covers both.
      run(k, doMmap(k, 1, mm, { addr: a + 2 * PAGE_SIZE, len: PAGE_SIZE, prot: RW, shared: true, extraFlags: special | VM_DONTEXPAND }));
      const mark = k.events.length;
      expect(errno(run(k, d.migrate(1, a + 2 * PAGE_SIZE, 1)))).toBe('EINVAL');
      expect(k.events.slice(mark).some((e) => e.e === 'notify')).toBe(false);
      expect(errno(run(k, d.migrate(1, a, 3)))).toBe('EINVAL');
      expect(mm.pte(a).bits & PTE_KIND_MASK).toBe(PTE_DEVICE);
    }
  });

  it('snapshots device pages of its own device as dev-local', () => {
    const { k, a, d } = setup(1);
    ok(run(k, d.migrate(1, a, 1)));
    expect(ok(run(k, d.snapshot(1, a, 1))).perms).toEqual(['dev-local+write']);
  });

  it('a second open of the same device skips the MIGRATE invalidation and keeps a freed page (stale-mirror)', () => {
    const { k, mm, a, d } = setup(1);
    const d2: Dmirror = dmirrorOpen(k, mm, 'd2');
    write(k, mm, a, 'v');
    ok(run(k, d2.read(1, a, 1)));
    runToCompletion(k, d.migrate(1, a, 1), 'migrate');
    expect(k.check.takeFresh().map((v) => v.kind)).toContain('stale-mirror');
    dmirrorClose(d2);
  });
});

describe('mkentry', () => {
  it('names the snapshot byte', () => {
    const k = new Kernel({ frames: 8, swapSlots: 1, trace: false, invariants: false });
    expect(mkentry(k, 0, HMM_PFN_ERROR)).toBe('error');
    expect(mkentry(k, 0, 0)).toBe('none');
    expect(mkentry(k, 0, HMM_PFN_VALID)).toBe('zero+read');
    expect(mkentry(k, 3, HMM_PFN_VALID | HMM_PFN_WRITE | HMM_PFN_PMD)).toBe('write+pmd');
  });
});
