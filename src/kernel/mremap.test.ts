import { describe, it, expect } from 'vitest';
import { Kernel } from './kernel.js';
import { doMmap } from './mmap.js';
import { doMremap } from './mremap.js';
import { userAccess } from './fault.js';
import { KernelError } from './types.js';
import { runToCompletion } from '../sched/sequential.js';

const RW = { read: true, write: true, exec: false };
const P = 4096;
function setup() {
  const k = new Kernel({ frames: 64, swapSlots: 16, trace: true, invariants: true });
  const mm = k.createMm(1);
  const a = runToCompletion(k, doMmap(k, 1, mm, { len: 2 * P, prot: RW, shared: false }), 'mmap') as number;
  runToCompletion(k, userAccess(k, 1, mm, a, true, 'v'), 'write');
  return { k, mm, a };
}
const mremap = (k: Kernel, mm: ReturnType<typeof setup>['mm'], from: number, len: number, to: number) =>
  runToCompletion(k, doMremap(k, 1, mm, from, len, to), 'mremap');
const errno = (r: unknown) => (r instanceof KernelError ? r.errno : r);

describe('doMremap (MREMAP_MAYMOVE | MREMAP_FIXED, same length)', () => {
  it('EINVAL: unaligned old or new address, overlapping ranges', () => {
    const { k, mm, a } = setup();
    expect(errno(mremap(k, mm, a + 1, P, a + 0x10000))).toBe('EINVAL');
    expect(errno(mremap(k, mm, a, P, a + 0x10001))).toBe('EINVAL');
    expect(errno(mremap(k, mm, a, 2 * P, a + P))).toBe('EINVAL');
  });

  it('EFAULT: nothing mapped at the old address, or the old range leaves the VMA', () => {
    const { k, mm, a } = setup();
    expect(errno(mremap(k, mm, a + 0x100000, P, a + 0x200000))).toBe('EFAULT');
    expect(errno(mremap(k, mm, a, 3 * P, a + 0x200000))).toBe('EFAULT');
  });

  it('moves the PTEs, keeps the counts, and leaves nothing at the old place', () => {
    const { k, mm, a } = setup();
    const pfn = mm.pte(a).pfn;
    const to = a + 0x100000;
    expect(mremap(k, mm, a, 2 * P, to)).toBe(to);
    expect(mm.pte(to).pfn).toBe(pfn);
    expect(mm.pte(a).bits).toBe(0);
    expect(mm.findVma(a)).toBeUndefined();
    expect(k.mem.mapcount[pfn]).toBe(1);
    expect(runToCompletion(k, userAccess(k, 1, mm, to, false), 'read').value).toBe('v');
    const unmaps = k.events.flatMap((e) => (e.e === 'notify' && e.phase === 'start' ? [e.event] : []));
    expect(unmaps).toEqual(['UNMAP', 'UNMAP']);
    expect(k.check.broken).toEqual([]);
  });

  it('moves part of a VMA, splitting the old one', () => {
    const { k, mm, a } = setup();
    const to = a + 0x100000;
    expect(mremap(k, mm, a + P, P, to)).toBe(to);
    expect(mm.vmas.map((v) => [v.start, v.end])).toEqual([[a, a + P], [to, to + P]]);
    expect(mm.vmas[1]!.pgoff).toBe(mm.vmas[0]!.pgoff + 1);
  });
});
