import { describe, expect, it } from 'vitest';
import { runSpec } from './interp.js';
import { parseSpec } from '../lang/parse.js';
import { stepsOf } from '../lang/steps.js';
import type { ThreadStmt } from '../lang/ast.js';

/**
 * The schedule check (src/lang/steps.ts) must accept every step a thread really stops at:
 * each kind of thread statement runs in a race, in worlds that send it down its other
 * paths (memory pressure: direct reclaim and the OOM killer; device-private pages:
 * migrate_to_ram; mirrors: notifier callbacks), and every `[tN@step]` its trace shows
 * must be a step stepsOf() gives it.
 */
const WORLDS: readonly string[][] = [
  // 4 frames, all used: a fault reclaims, and when nothing can be reclaimed, the OOM killer runs.
  ['memory 4 frames', 'swap 1 slots', 'process vm1', 'process vm2', 'vm1: mmap anon heap pages 4',
    'vm2: mmap anon heap pages 4', 'vm1: write heap[0..2] "a"', 'vm2: write heap[0..2] "b"', 'vm1: open dmirror d',
    'process intro', 'intro: open mirror m of vm1', 'intro: mmap m view pages 4 target vm1.heap[0]', 'intro: read view[0]',
    'file f pages 2', 'vm1: mmap file fm f pages 2 shared rw'],
  // 6 frames: reclaim in the set-up already.
  ['memory 6 frames', 'swap 2 slots', 'process vm1', 'process vm2', 'vm1: mmap anon heap pages 4',
    'vm2: mmap anon heap pages 4', 'vm1: write heap[0..3] "a"', 'vm2: write heap[0..2] "b"', 'vm1: open dmirror d',
    'process intro', 'intro: open mirror m of vm1', 'intro: mmap m view pages 4 target vm1.heap[0]', 'intro: read view[0]',
    'file f pages 2', 'vm1: mmap file fm f pages 2 shared rw'],
  // Device-private pages, a child sharing pages, a dirty shared file page.
  ['process vm1', 'process vm2', 'vm1: mmap anon heap pages 4', 'vm2: mmap anon heap pages 4', 'vm1: write heap[0..3] "a"',
    'vm1: open dmirror d', 'dmirror d migrate heap[0..2]', 'process intro', 'intro: open mirror m of vm1',
    'intro: mmap m view pages 4 target vm1.heap[0] rw', 'intro: read view[2]', 'vm1: fork kid', 'file f pages 2',
    'vm1: mmap file fm f pages 2 shared rw', 'vm1: write fm[0] "z"'],
];

const STATEMENTS: readonly string[] = [
  'vm1: read heap[0]', 'vm1: write heap[1] "w"', 'vm1: write heap[0..2] "w"', 'vm2: write heap[3] "q"', 'vm2: write heap[2..4] "q"', 'vm2: read heap[0..4]',
  'intro: read view[0]', 'intro: write view[1] "v"', 'intro: read view[2..4]',
  'vm1: munmap heap[1]', 'vm1: mprotect heap r', 'vm1: madvise heap dontneed', 'vm1: madvise heap pageout',
  'vm1: madvise heap free', 'vm1: madvise heap willneed', 'vm1: mremap heap to 0x7f0000100000', 'vm1: fork c',
  'vm1: exit', 'vm2: exit', 'vm1: mmap anon h2 pages 2',
  'intro: mmap m v2 pages 1 target vm1.heap[0]',
  'kernel: reclaim vm1.heap[0]', 'kernel: reclaim 3', 'kernel: migrate vm1.heap[0..2]', 'kernel: compact',
  'kernel: khugepaged vm1.heap', 'kernel: ksm vm1.heap[0] and vm1.heap[1]', 'kernel: numa-scan vm1.heap',
  'kernel: oom vm1', 'kernel: writeback f',
  'dmirror d read heap[0]', 'dmirror d write heap[0] = 5', 'dmirror d snapshot heap[0..2]', 'dmirror d migrate heap[0..2]',
  'vm1: read fm[0]', 'vm1: write fm[1] "y"', 'vm1: munmap fm',
];

/** The steps each thread of the race stopped at, by thread index. */
function stepsTaken(world: readonly string[], threads: readonly string[]): { steps: Set<string>[]; stmts: ThreadStmt[] } {
  const src = ['spec "s"', ...world, 'race {', ...threads.map((s, i) => `  t${i + 1} = ${s}`), '}', ''].join('\n');
  const stmts = parseSpec(src, 's.mms').spec!.statements.flatMap((s) => (s.type === 'race' ? s.threads.map((t) => t.stmt) : []));
  const steps = threads.map(() => new Set<string>());
  const run = runSpec(src, 's.mms');
  expect(run.diagnostics).toEqual([]);
  const race = run.trace!.steps.find((s) => s.at.includes('race {'))!;
  for (const ev of race.events) {
    const m = /^\[t(\d+)@([a-z-]+)(#\d+)?\]$/.exec(ev);
    if (m) steps[Number(m[1]) - 1]!.add(m[2]!);
  }
  return { steps, stmts };
}

describe('step names: what a thread stops at is what a schedule may name', () => {
  it('every step a thread takes is one stepsOf() gives its statement', () => {
    const all = new Map<string, Set<string>>();
    for (const world of WORLDS) {
      for (const a of STATEMENTS) {
        for (const b of ['kernel: reclaim 3', 'kernel: compact']) {
          const { steps, stmts } = stepsTaken(world, [a, b]);
          stmts.forEach((st, i) => {
            const stray = [...steps[i]!].filter((x) => !stepsOf(st).includes(x));
            expect(stray, `${[a, b][i]} (race with ${[a, b][1 - i]})`).toEqual([]);
            const key = st.type;
            if (!all.has(key)) all.set(key, new Set());
            for (const x of steps[i]!) all.get(key)!.add(x);
          });
        }
      }
    }
    // The paths the worlds are built to reach were reached.
    expect([...all.get('read')!]).toEqual(expect.arrayContaining(['remap', 'fault', 'begin', 'insert']));
    expect([...all.get('write')!]).toEqual(expect.arrayContaining(['isolate', 'swapout', 'release']));
    expect([...all.get('mmapAnon')!]).toContain('mmap');
  });

  it('a CPU read of a device-private page may stop at the remap of its migration back', () => {
    const world = ['process vm1', 'vm1: mmap anon heap pages 1', 'vm1: write heap[0] "a"', 'vm1: open dmirror d', 'dmirror d migrate heap[0]'];
    const src = ['spec "s"', ...world, 'race {', '  t1 = vm1: read heap[0] expect "a"', '  t2 = kernel: reclaim vm1.heap[0]', '} schedule t1@remap, t2', ''].join('\n');
    const run = runSpec(src, 's.mms');
    expect(run.diagnostics).toEqual([]);
    expect(run.failures).toEqual([]);
    const events = run.trace!.steps.find((s) => s.at.includes('race {'))!.events;
    expect(events.indexOf('[t1@remap]')).toBeLessThan(events.indexOf('[t2@isolate]'));
  });
});
