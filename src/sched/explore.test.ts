import { describe, it, expect } from 'vitest';
import { Kernel } from '../kernel/kernel.js';
import { Mutex, mutexLock } from '../kernel/locks.js';
import type { Op } from '../kernel/types.js';
import { SchedThread } from './thread.js';
import { explore, chooseThreads, switches, type Ending, type Instance } from './explore.js';
import { parseSpec } from '../lang/parse.js';
import { Interpreter } from '../run/exec.js';
import { exploreBlock, type ExploreMode } from '../run/concurrent.js';
import { runSpec } from '../run/interp.js';
import type * as A from '../lang/ast.js';

/** A toy shared state: two counters and a lock; threads are generators over it. */
function toy(threads: (s: { x: number; y: number; m: Mutex }, task: number) => Op<void>[]) {
  return (): Instance => {
    const k = new Kernel({ frames: 4, swapSlots: 4, trace: true, invariants: true });
    const s = { x: 0, y: 0, m: new Mutex('m') };
    const ops = threads(s, 100);
    return { k, threads: ops.map((op, i) => new SchedThread(i, `t${i + 1}`, 100 + i, op)), stateText: () => `${s.x},${s.y},${s.m.owner}` };
  };
}

const sorted = (es: readonly Ending[]) => es.map((e) => `${e.final}|${e.kinds.join(',')}|${e.count}`).sort();

describe('explore on toy threads', () => {
  it('counts every interleaving of two racy increments and finds both final values', () => {
    const fresh = toy((s) => [0, 1].map(() => (function* () { const v = s.x; yield 'read'; s.x = v + 1; yield 'write'; })()));
    const texts: string[] = [];
    // These toy threads carry `v` across a step without reporting it in an event, so only
    // the strict fingerprint is sound for them (the kernel's operations report such values).
    const r = explore({ fresh: () => fresh(), judge: (i) => { texts.push(i.stateText()); return i.stateText(); }, maxStates: 1000, locals: 'observations' });
    // 2 steps + end each: C(6,3) = 20 orders of 3 transitions each.
    expect(r.stats.interleavings).toBe(20);
    expect(texts.sort()).toEqual(['1,0,0', '2,0,0']);
    const noCache = explore({ fresh: () => fresh(), judge: (i) => i.stateText(), maxStates: 10_000, caching: false });
    expect(sorted(noCache.endings)).toEqual(sorted(r.endings));
    expect(r.stats.states).toBeLessThan(noCache.stats.states);
  });

  it('respects blocking: a lock makes the increments atomic', () => {
    const fresh = toy((s) => [0, 1].map((i) => (function* () {
      yield* mutexLock(s.m, 100 + i); const v = s.x; yield 'read'; s.x = v + 1; yield 'write'; s.m.unlock(100 + i);
    })()));
    const finals: string[] = [];
    explore({ fresh: () => fresh(), judge: (i) => { finals.push(i.stateText()); return 0; }, maxStates: 1000 });
    expect(finals).toEqual(['2,0,0']);
  });

  it('persistent sets: independent threads are run one after the other, with the same final states', () => {
    const fresh = toy((s) => [
      (function* () { s.x++; yield 'a'; s.x++; yield 'b'; })(),
      (function* () { s.y++; yield 'a'; s.y++; yield 'b'; })(),
    ]);
    const fp = [new Set(['x']), new Set(['y'])];
    const reduced = explore({ fresh: () => fresh(), judge: (i) => i.stateText(), maxStates: 1000, footprints: fp });
    const full = explore({ fresh: () => fresh(), judge: (i) => i.stateText(), maxStates: 1000 });
    expect(reduced.stats.interleavings).toBe(1);
    expect(full.stats.interleavings).toBe(20);
    expect([...reduced.finals.values()]).toEqual([...full.finals.values()]);
  });

  it('chooses the component of the first enabled thread; `*` overlaps everything', () => {
    const t = (i: number) => new SchedThread(i, `t${i}`, 100 + i, (function* () { yield 'a'; })());
    const ts = [t(0), t(1), t(2)];
    expect(chooseThreads(ts, [new Set(['a']), new Set(['b']), new Set(['a'])])).toEqual([0, 2]);
    expect(chooseThreads(ts, [new Set(['a']), new Set(['*']), new Set(['c'])])).toEqual([0, 1, 2]);
    expect(chooseThreads(ts)).toEqual([0, 1, 2]);
  });

  it('a value carried across a wait (Wait.carries) is part of the state key', () => {
    // mmu_interval_read_begin in miniature: `seq` is odd while invalidations run (`active`
    // counts them); the reader takes seq and, if odd, waits for it to change, then records
    // the value it took. A reader waiting with seq 3 (ready once seq is 5) and one waiting
    // with seq 5 (not ready) are in the same shared state, at the same place, with the same
    // (no) events: only the carried value tells them apart.
    const fresh = (carry: boolean) => (): Instance => {
      const k = new Kernel({ frames: 4, swapSlots: 4, trace: true, invariants: true });
      const s = { seq: 2, active: 0, seen: [] as number[] };
      const invalidate = function* (): Op<void> {
        s.active++;
        s.seq |= 1;
        yield 'start';
        if (--s.active === 0 && (s.seq & 1) === 1) s.seq++;
        yield 'end';
      };
      const reader = function* (): Op<void> {
        const seq = s.seq;
        if ((seq & 1) === 1) yield { wait: 'read_begin', ready: () => s.seq !== seq, ...(carry ? { carries: seq } : {}) };
        s.seen.push(seq);
        yield 'begin';
      };
      const ops = [reader(), invalidate(), invalidate()];
      return { k, threads: ops.map((op, i) => new SchedThread(i, `t${i + 1}`, 100 + i, op)), stateText: () => `${s.seq},${s.active},${s.seen.join('/')}` };
    };
    const endings = (carry: boolean, caching: boolean) =>
      sorted(explore({ fresh: fresh(carry), judge: (i) => i.stateText(), maxStates: 100_000, caching }).endings);
    expect(endings(true, true)).toEqual(endings(true, false));
    // Without it the two waiting readers are merged, and the counts (or endings) go wrong.
    expect(endings(false, true)).not.toEqual(endings(false, false));
  });

  it('prefers witnesses with fewer context switches', () => {
    expect(switches([0, 0, 1, 1, 0])).toBe(2);
  });
});

/** Figures of the first explore block of a spec in a given mode. */
function figures(src: string, mode: ExploreMode) {
  const { spec } = parseSpec(src, 'x.mms');
  const it = new Interpreter(spec!, src, { trace: false });
  for (const s of spec!.statements) {
    if (s.type === 'explore') return exploreBlock(it, s as A.Explore, mode);
    it.exec(s);
  }
  throw new Error('no explore block');
}

const MIRROR = (opts: string) => `spec "s"
process vm1
process intro
vm1: mmap anon heap pages 2
vm1: write heap[0] "precious"
intro: open mirror m of vm1${opts}
intro: mmap m view pages 2 target vm1.heap[0]
`;

describe('explore on mirror races: the reductions change the work, not the results', () => {
  const cases: [string, string][] = [
    ['fault vs munmap of the next page', MIRROR('') + 'explore {\n  t1 = intro: read view[0]\n  t2 = vm1: munmap heap[1]\n}\nexpect always coherent m\n'],
    ['fault vs fault', MIRROR('') + 'explore {\n  t1 = intro: read view[0]\n  t2 = intro: read view[0]\n}\nexpect always coherent m\n'],
    ['hmm2019 fault vs mprotect', MIRROR(' with api=hmm2019') + 'explore {\n  t1 = intro: read view[0]\n  t2 = vm1: mprotect heap[0] r\n}\nexpect always coherent m\n'],
  ];
  for (const [name, src] of cases) {
    it(`${name}: events fingerprint, strict fingerprint and no caching agree`, () => {
      const base = figures(src, {});
      const strict = figures(src, { locals: 'observations' });
      const none = figures(src, { caching: false });
      expect(sorted(strict.endings)).toEqual(sorted(base.endings));
      expect(sorted(none.endings)).toEqual(sorted(base.endings));
      expect(base.stats.states).toBeLessThan(strict.stats.states);
      expect(strict.stats.states).toBeLessThan(none.stats.states);
    });
  }

  it('a thread waiting for the fork that creates its process: events fingerprint, strict fingerprint and no caching agree', () => {
    const src = 'spec "s"\nprocess vm1\nvm1: mmap anon heap pages 1\nvm1: write heap[0] "a"\n' +
      'explore {\n  t1 = child: write heap[0] "c"\n  t2 = vm1: fork child\n  t3 = vm1: write heap[0] "p"\n}\nexpect always child.heap[0] holds "c"\n';
    const base = figures(src, {});
    const strict = figures(src, { locals: 'observations' });
    const none = figures(src, { caching: false });
    const checked = figures(src, { checkReplays: true });
    expect(sorted(strict.endings)).toEqual(sorted(base.endings));
    expect(sorted(none.endings)).toEqual(sorted(base.endings));
    expect(sorted(checked.endings)).toEqual(sorted(base.endings));
    expect([...base.finals.values()].every((v) => v[0] === true)).toBe(true);
  });

  it('thread results judged by outcomes are part of the state key: every fingerprint counts them alike', () => {
    const src = MIRROR('') + 'explore {\n  t1 = intro: read view[0]\n  t2 = vm1: munmap heap[0]\n}\n' +
      'expect sometimes t1 reads "precious"\nexpect sometimes t1 SIGBUS\n';
    const counts = (r: ReturnType<typeof figures>) => [0, 1].map((j) => r.endings.filter((e) => r.finals.get(e.final)![j]).reduce((n, e) => n + e.count, 0));
    const base = figures(src, {});
    const strict = figures(src, { locals: 'observations' });
    const none = figures(src, { caching: false });
    expect(counts(strict)).toEqual(counts(base));
    expect(counts(none)).toEqual(counts(base));
    const [reads, sigbus] = counts(base);
    expect(reads).toBeGreaterThan(0);
    expect(sigbus).toBeGreaterThan(0);
    expect(reads! + sigbus!).toBe(base.stats.interleavings);
    expect(base.endings.every((e) => e.failure === undefined)).toBe(true);
  });

  it('replays restore what the checker had broken at their node: the same endings as replays checked step by step', () => {
    // The v5.2 race leaves stale-mirror broken across later steps, and replays cross it.
    const src = MIRROR(' with api=hmm2019') + 'explore {\n  t1 = intro: read view[0]\n  t2 = kernel: reclaim vm1.heap[0]\n}\n' +
      'expect sometimes violation stale-mirror\n';
    const restored = figures(src, {});
    const checked = figures(src, { checkReplays: true });
    expect(restored.endings.some((e) => e.kinds.includes('stale-mirror'))).toBe(true);
    expect(restored.stats.replays).toBeGreaterThan(0);
    expect(sorted(restored.endings)).toEqual(sorted(checked.endings));
    expect(restored.stats.states).toBe(checked.stats.states);
  });

  it('threads on different pages: persistent sets keep the final states and make the cost linear', () => {
    const spec = (n: number) => ['spec "s"',
      ...Array.from({ length: n }, (_, i) => [`process vm${i}`, `vm${i}: mmap anon heap pages 1`, `vm${i}: write heap[0] "v${i}"`]).flat(),
      'explore {', ...Array.from({ length: n }, (_, i) => `  r${i} = vm${i}: write heap[0] "w${i}"`), '}', 'expect always vm0.heap[0] holds "w0"', ''].join('\n');
    const states = [2, 3, 4].map((n) => figures(spec(n), {}).stats.states);
    expect(states).toEqual([3, 4, 5]);
    const full = figures(spec(3), { footprints: false });
    const reduced = figures(spec(3), {});
    expect(full.stats.interleavings).toBe(6);
    expect(reduced.stats.interleavings).toBe(1);
    expect(new Set(reduced.finals.keys())).toEqual(new Set(full.finals.keys()));
  });
});

describe('explore blocks', () => {
  it('report their figures and outcomes; a failed outcome shows a paste-able schedule and its trace', () => {
    const src = MIRROR(' with api=hmm2019') + 'explore {\n  t1 = intro: read view[0]\n  t2 = kernel: reclaim vm1.heap[0]\n}\nexpect never violation stale-mirror\nexpect sometimes violation use-after-free\n';
    const r = runSpec(src, 'x.mms');
    expect(r.failures).toHaveLength(1);
    const f = r.failures[0]!;
    expect(f.line).toBe(12);
    expect(f.message).toMatch(/^never violation stale-mirror: fails in \d+\/\d+ interleavings$/);
    const [schedule, ...trace] = f.detail!.split('\n');
    expect(schedule).toMatch(/^schedule t1@snapshot, t2/);
    expect(trace.join('\n')).toContain('VIOLATION stale-mirror');
    // The printed schedule, pasted into a race, shows the violation again (line 12 takes it,
    // line 13 finds the mirror incoherent).
    const race = MIRROR(' with api=hmm2019') + `race {\n  t1 = intro: read view[0]\n  t2 = kernel: reclaim vm1.heap[0]\n} ${schedule}\nexpect violation stale-mirror\nexpect coherent m\n`;
    const again = runSpec(race, 'y.mms');
    expect(again.failures.map((x) => x.line)).toEqual([13]);
  });

  it('leave the state of declaration order behind', () => {
    const src = MIRROR('') + 'explore {\n  t1 = intro: read view[0]\n  t2 = kernel: reclaim vm1.heap[0]\n}\nexpect always coherent m\nexpect vm1.heap[0] pte swap\nexpect intro.view[0] pte none\nexpect m counters faults 1, retries 0\n';
    const r = runSpec(src, 'x.mms');
    expect(r.failures).toEqual([]);
    const lines = r.trace!.steps.find((s) => s.at.includes('explore'))!.events;
    expect(lines[0]).toMatch(/^\[explore: \d+ interleavings, \d+ distinct final states\]$/);
    expect(lines[1]).toMatch(/^\[explore: always coherent m: ok \((\d+)\/\1\)\]$/);
  });

  it('stop with a clear message at --max-states', () => {
    process.env.MMSPEC_MAX_STATES = '10';
    try {
      const r = runSpec(MIRROR('') + 'explore {\n  t1 = intro: read view[0]\n  t2 = kernel: reclaim vm1.heap[0]\n}\nexpect always coherent m\n', 'x.mms');
      expect(r.failures[0]!.message).toMatch(/^explore stopped after 10 distinct states and \d+ steps \(--max-states 10 allows 10 states and 400 steps\): the result would be incomplete; raise --max-states or make the block smaller$/);
    } finally {
      delete process.env.MMSPEC_MAX_STATES;
    }
  });

  it('stop at the step limit before the state limit when states cost long replays (many threads)', () => {
    const threads = Array.from({ length: 30 }, (_, i) => `  t${i} = vm1: write heap[${i}] ${i}\n`).join('');
    process.env.MMSPEC_MAX_STATES = '1000';
    try {
      const r = runSpec('spec "t"\nprocess vm1\nvm1: mmap anon heap pages 30\nexplore {\n' + threads + '}\nexpect never violation\n', 'x.mms');
      const m = /^explore stopped after (\d+) distinct states and (\d+) steps \(--max-states 1000 allows 1000 states and 40000 steps\)/.exec(r.failures[0]!.message);
      expect(m).not.toBeNull();
      expect(Number(m![1])).toBeLessThan(1000);
      expect(Number(m![2])).toBeGreaterThan(40000);
    } finally {
      delete process.env.MMSPEC_MAX_STATES;
    }
  });
});
