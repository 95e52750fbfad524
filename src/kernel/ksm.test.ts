import { describe, it, expect } from 'vitest';
import { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import { doMmap } from './mmap.js';
import { userAccess } from './fault.js';
import { ksmMergePair } from './ksm.js';
import { migrateRange } from './migrate.js';
import { rmapWalk } from './rmap.js';
import { VM_MERGEABLE } from './vma.js';
import { PG_KSM } from './frames.js';
import { PTE_WRITE } from './pte.js';
import { runToCompletion } from '../sched/sequential.js';
import type { Value } from './types.js';

const RW = { read: true, write: true, exec: false };
const KT = 1_000_000;
function setup() {
  const k = new Kernel({ frames: 64, swapSlots: 16, trace: true, invariants: true });
  const m1 = k.createMm(1), m2 = k.createMm(2);
  const a = runToCompletion(k, doMmap(k, 1, m1, { len: 4096, prot: RW, shared: false }), 'mmap') as number;
  runToCompletion(k, doMmap(k, 2, m2, { len: 4096, prot: RW, shared: false }), 'mmap');
  m1.vmas[0]!.flags |= VM_MERGEABLE;
  m2.vmas[0]!.flags |= VM_MERGEABLE;
  return { k, m1, m2, a };
}
const write = (k: Kernel, mm: Mm, addr: number, v: Value) => runToCompletion(k, userAccess(k, mm.id, mm, addr, true, v), 'write');
const merge = (k: Kernel, m1: Mm, m2: Mm, a: number) => runToCompletion(k, ksmMergePair(k, KT, { mm: m1, addr: a }, { mm: m2, addr: a }), 'ksm');

describe('KSM', () => {
  it('merges equal pages: one KSM page, mapcount 2, read-only; rmap finds both mappings', () => {
    const { k, m1, m2, a } = setup();
    write(k, m1, a, 'v');
    write(k, m2, a, 'v');
    merge(k, m1, m2, a);
    const kp = m1.pte(a).pfn;
    expect(m2.pte(a).pfn).toBe(kp);
    expect(k.mem.has(kp, PG_KSM)).toBe(true);
    expect([k.mem.refcount[kp], k.mem.mapcount[kp]]).toEqual([2, 2]);
    expect(m1.pte(a).bits & PTE_WRITE).toBe(0);
    expect(rmapWalk(k, kp).map((h) => h.vma.mm.id)).toEqual([1, 2]);
    expect(k.check.broken).toEqual([]);
  });

  it('refuses a page with a GUP pin (refcount ≠ mapcount + 1): write_protect_page leaves both pages as they were', () => {
    const { k, m1, m2, a } = setup();
    write(k, m1, a, 'v');
    write(k, m2, a, 'v');
    const pb = m2.pte(a).pfn;
    k.mem.addPin(pb, 1);
    merge(k, m1, m2, a);
    expect(m2.pte(a).pfn).toBe(pb);
    expect(m2.pte(a).bits & PTE_WRITE).not.toBe(0);
    expect(k.mem.has(m1.pte(a).pfn, PG_KSM)).toBe(false);
    expect(k.events.some((e) => e.e === 'ksm' && /refused/.test(e.what))).toBe(true);
    expect(k.check.broken).toEqual([]);
  });

  it('a KSM page migrates with its rmap list', () => {
    const { k, m1, m2, a } = setup();
    write(k, m1, a, 'v');
    write(k, m2, a, 'v');
    merge(k, m1, m2, a);
    const kp = m1.pte(a).pfn;
    runToCompletion(k, migrateRange(k, KT, m1, [a]), 'migrate');
    const np = m1.pte(a).pfn;
    expect(np).not.toBe(kp);
    expect(m2.pte(a).pfn).toBe(np);
    expect(k.mem.has(np, PG_KSM)).toBe(true);
    expect(k.check.broken).toEqual([]);
  });
});
