import { describe, it, expect } from 'vitest';
import { Kernel } from '../kernel/kernel.js';
import type { Mm } from '../kernel/mm.js';
import { doMmap, doMunmap } from '../kernel/mmap.js';
import { userAccess } from '../kernel/fault.js';
import { PTE_SPECIAL, PTE_WRITE, isPresent } from '../kernel/pte.js';
import { PG_DIRTY } from '../kernel/frames.js';
import { KernelPanic, PAGE_SIZE, isWait, type Op, type Value } from '../kernel/types.js';
import { runToCompletion, TaskHung } from '../sched/sequential.js';
import { mirrorOpen, type MirrorConfig } from './mirror.js';

const RW = { read: true, write: true, exec: false };
const R = { read: true, write: false, exec: false };
const DEFAULTS: MirrorConfig = {
  api: 'interval', check: 'valid', lock: 'on', vma: 'pfnmap', fault: 'hmm', fork: 'dontcopy', mkwrite: 'fault', maxRetries: 16,
};

function setup(opts: Partial<MirrorConfig> = {}, prot = R) {
  const k = new Kernel({ frames: 64, swapSlots: 16, trace: true, invariants: true });
  const target = k.createMm(1), intro = k.createMm(2);
  const heap = run(k, doMmap(k, 1, target, { len: 2 * PAGE_SIZE, prot: RW, shared: false })) as number;
  const dev = mirrorOpen(k, 'm', target, { ...DEFAULTS, ...opts });
  const view = run(k, dev.mmap(2, intro, 2, heap, prot)) as number;
  return { k, target, intro, heap, dev, view };
}
const run = <T>(k: Kernel, op: Op<T>): T => runToCompletion(k, op, 'test');
const write = (k: Kernel, mm: Mm, addr: number, v: Value) => run(k, userAccess(k, mm.id, mm, addr, true, v));
const read = (k: Kernel, mm: Mm, addr: number) => run(k, userAccess(k, mm.id, mm, addr, false));
/** Runs `op` (checking invariants after each step) up to and including step `name`. */
function runUntil<T>(k: Kernel, op: Op<T>, name: string): void {
  for (;;) {
    const r = op.next();
    k.check.afterStep();
    if (r.done) throw new Error(`op ended before ${name}`);
    if (!isWait(r.value) && r.value === name) return;
  }
}
const kinds = (k: Kernel) => k.check.takeFresh().map((v) => v.kind);

describe('mirror fault path', () => {
  it('yields begin, snapshot, lock, check, insert, unlock and inserts a special read-only PTE with no reference', () => {
    const { k, target, intro, heap, view } = setup();
    write(k, target, heap, 'x');
    const op = userAccess(k, 2, intro, view, false);
    const steps: string[] = [];
    for (let r = op.next(); !r.done; r = op.next()) if (!isWait(r.value)) steps.push(r.value);
    expect(steps).toEqual(['begin', 'snapshot', 'lock', 'check', 'insert', 'unlock', 'fault']);
    const pte = intro.pte(view);
    expect(pte.pfn).toBe(target.pte(heap).pfn);
    expect(pte.bits & PTE_SPECIAL).toBeTruthy();
    expect(pte.bits & PTE_WRITE).toBeFalsy();
    expect(k.mem.refcount[pte.pfn]).toBe(1);
    expect(k.mem.mapcount[pte.pfn]).toBe(1);
  });

  it('retries when an invalidation collides between snapshot and check', () => {
    const { k, target, intro, heap, dev, view } = setup();
    write(k, target, heap, 'x');
    const op = userAccess(k, 2, intro, view, false);
    runUntil(k, op, 'snapshot');
    run(k, doMunmap(k, 1, target, heap + PAGE_SIZE, PAGE_SIZE));
    const r = run(k, op);
    expect(r.value).toBe('x');
    expect(dev.counters).toMatchObject({ retries: 1, faults: 1, invalidations: 1 });
  });

  it('check=none inserts the stale snapshot: stale-mirror', () => {
    const { k, target, intro, heap, view } = setup({ check: 'none' });
    write(k, target, heap, 'x');
    const op = userAccess(k, 2, intro, view, false);
    runUntil(k, op, 'snapshot');
    run(k, doMunmap(k, 1, target, heap, PAGE_SIZE));
    run(k, op);
    expect(kinds(k)).toContain('stale-mirror');
  });

  it('check=inverted never inserts without a race: livelock and SIGBUS', () => {
    const { k, target, intro, heap, dev, view } = setup({ check: 'inverted', maxRetries: 2 });
    write(k, target, heap, 'x');
    expect(read(k, intro, view).signal?.sig).toBe('SIGBUS');
    expect(kinds(k)).toEqual(['livelock']);
    expect(dev.counters).toMatchObject({ retries: 2, sigbus: 1, faults: 0 });
  });

  it('a write is writable only when the target PTE is; mkwrite=none lets core MM upgrade it (mirror-perm)', () => {
    const ok = setup({}, RW);
    write(ok.k, ok.target, ok.heap, 'x');
    write(ok.k, ok.intro, ok.view, 'y');
    expect(ok.intro.pte(ok.view).bits & PTE_WRITE).toBeTruthy();
    expect(ok.k.mem.value[ok.target.pte(ok.heap).pfn]).toBe('y');
    const bad = setup({ mkwrite: 'none' }, RW);
    run(bad.k, userAccess(bad.k, 1, bad.target, bad.heap, false)); // the zero page, read-only
    read(bad.k, bad.intro, bad.view);
    write(bad.k, bad.intro, bad.view, 'z');
    expect(kinds(bad.k)).toContain('mirror-perm');
  });

  it('a writable insert marks the target page dirty (folio_mark_dirty); a read-only one does not', () => {
    const k = new Kernel({ frames: 64, swapSlots: 16, trace: true, invariants: true });
    const target = k.createMm(1), intro = k.createMm(2);
    const shm = run(k, doMmap(k, 1, target, { len: 2 * PAGE_SIZE, prot: RW, shared: true })) as number;
    const dev = mirrorOpen(k, 'm', target, DEFAULTS);
    const view = run(k, dev.mmap(2, intro, 2, shm, RW)) as number;
    read(k, target, shm);
    read(k, target, shm + PAGE_SIZE);
    const pfn0 = target.pte(shm).pfn, pfn1 = target.pte(shm + PAGE_SIZE).pfn;
    expect(target.pte(shm).bits & PTE_WRITE).toBeTruthy(); // shmem: writable on a read fault, clean
    expect(k.mem.has(pfn0, PG_DIRTY)).toBe(false);
    read(k, intro, view);
    expect(k.mem.has(pfn0, PG_DIRTY)).toBe(false);
    write(k, intro, view, 'via pfn_mkwrite');
    expect(k.mem.has(pfn0, PG_DIRTY)).toBe(true);
    write(k, intro, view + PAGE_SIZE, 'via fault');
    expect(k.mem.has(pfn1, PG_DIRTY)).toBe(true);
    expect(k.check.broken).toEqual([]);
  });
});

describe('mirror notifier and lifetime', () => {
  it('the callback zaps the mirror PTE with a CLEAR on the mirror mm; a repaired state is not reported again', () => {
    const { k, target, intro, heap, dev, view } = setup();
    write(k, target, heap, 'x');
    read(k, intro, view);
    run(k, doMunmap(k, 1, target, heap, 2 * PAGE_SIZE));
    expect(isPresent(intro.pte(view).bits)).toBe(false);
    expect(dev.counters).toMatchObject({ invalidations: 1, zaps: 1 });
    expect(k.events.some((e) => e.e === 'notify' && e.mm === 2 && e.event === 'CLEAR')).toBe(true);
    expect(k.check.takeFresh()).toEqual([]);
  });

  it('close keeps the device while a VMA maps it; the last munmap releases it and removes its notifiers', () => {
    const { k, target, intro, dev, view } = setup();
    dev.close();
    expect(dev.released).toBe(false);
    run(k, doMunmap(k, 2, intro, view, 2 * PAGE_SIZE));
    expect(dev.released).toBe(true);
    expect(target.notifiers.intervals).toEqual([]);
    expect(target.notifiers.subs).toEqual([]);
  });

  it('vma=anon corrupts counts at the first insert (an ordinary PTE without mapcount)', () => {
    const { k, target, intro, heap, view } = setup({ vma: 'anon' });
    write(k, target, heap, 'x');
    read(k, intro, view);
    expect(kinds(k)).toEqual(['refcount']);
  });
});

describe('a view that mirrors its own pages (the opener mirrors itself)', () => {
  /** intro maps a page, unmaps it, and maps a view there whose target is that very page. */
  function selfView(opts: Partial<MirrorConfig>) {
    const k = new Kernel({ frames: 64, swapSlots: 16, trace: true, invariants: true });
    const mm = k.createMm(1);
    const at = run(k, doMmap(k, 1, mm, { len: PAGE_SIZE, prot: RW, shared: false })) as number;
    run(k, doMunmap(k, 1, mm, at, PAGE_SIZE));
    const dev = mirrorOpen(k, 'm', mm, { ...DEFAULTS, ...opts });
    expect(run(k, dev.mmap(1, mm, 1, at, R, at))).toBe(at);
    return { k, mm, at, dev };
  }

  it('a fault gets SIGBUS: the target lies in a VM_PFNMAP VMA', () => {
    const { k, mm, at, dev } = selfView({});
    expect(read(k, mm, at).signal?.sig).toBe('SIGBUS');
    expect(dev.counters.sigbus).toBe(1);
  });

  it('munmap re-enters the callback from its own zap: mutex_lock on the held update lock hangs (deadlock)', () => {
    const { k, mm, at, dev } = selfView({});
    expect(() => run(k, doMunmap(k, 1, mm, at, PAGE_SIZE))).toThrow(TaskHung);
    expect(kinds(k)).toEqual(['deadlock']);
    expect(dev.lock.owner).toBe(1);
  });

  it('lock=off: the callback recurses until the kernel stack overflows (a panic)', () => {
    const { k, mm, at } = selfView({ lock: 'off' });
    expect(() => run(k, doMunmap(k, 1, mm, at, PAGE_SIZE))).toThrow(KernelPanic);
  });

  it('vma=mixedmap: hmm_range_fault faults the view itself, which faults it again, until the stack overflows', () => {
    const { k, mm, at } = selfView({ vma: 'mixedmap' });
    expect(() => read(k, mm, at)).toThrow(/kernel stack overflow/);
  });
});
