import { describe, expect, it } from 'vitest';
import { generateScenario, replayPlan, type Action, type ScenarioPlan } from './generate.js';
import { checkScenario, runCampaign, shrinkPlan } from './campaign.js';
import { accessOutcomes, dontneed, forkPage, lazyFree, valuesOf, type ProcM, type RegionM } from './model.js';
import { cmdFuzz } from './command.js';

describe('the scenario generator', () => {
  it('gives the same scenario for the same seed and index, another for another index', () => {
    const a = generateScenario(7, 3), b = generateScenario(7, 3), c = generateScenario(7, 4);
    expect(a.text).toBe(b.text);
    expect(a.text).not.toBe(c.text);
    expect(a.statements).toBeGreaterThan(5);
  });

  it('replays its own plan to the same text', () => {
    const sc = generateScenario(11, 0);
    expect(replayPlan(sc.plan).text).toBe(sc.text);
  });

  it('writes what the model is sure of into the spec, and the spec passes on its own', () => {
    const plan: ScenarioPlan = {
      title: 'a write survives reclaim and fork', memory: 4096, swap: 4096, actions: [
        { a: 'process', name: 'p1' },
        { a: 'mmapAnon', p: 'p1', name: 'r1', pages: 2, prot: 'rw', showProt: false, shared: false, huge: false },
        { a: 'access', r: { p: 'p1', region: 'r1', from: 0, to: 1, whole: false }, write: true, value: 'x' },
        { a: 'fork', p: 'p1', child: 'c1' },
        { a: 'kernelRange', verb: 'reclaim', r: { p: 'p1', region: 'r1', from: 0, to: 2, whole: true } },
        { a: 'access', r: { p: 'c1', region: 'r1', from: 0, to: 1, whole: false }, write: true, value: 'y' },
        { a: 'madvise', r: { p: 'p1', region: 'r1', from: 1, to: 2, whole: false }, advice: 'free' },
      ],
    };
    const sc = replayPlan(plan, {}, true);
    expect(sc.finding).toBeUndefined();
    expect(sc.text).toContain('c1: write r1[0] "y"');
    // The read-back: each process reads its own copy.
    expect(sc.text).toMatch(/p1: read r1\[0\] expect "x"/);
    expect(sc.text).toMatch(/c1: read r1\[0\] expect "y"/);
    expect(checkScenario(1, 0).finding).toBeUndefined();
  });

  it('shrinks a failing scenario to the actions that make it fail', () => {
    const sc = generateScenario(5, 2);
    // A region named after a keyword: the generated text is rejected at that line.
    const bad: Action = { a: 'mmapAnon', p: 'p0', name: 'expect', pages: 1, prot: 'rw', showProt: false, shared: false, huge: false };
    const plan = { ...sc.plan, actions: [{ a: 'process', name: 'p0' } as Action, ...sc.plan.actions, bad] };
    const found = replayPlan(plan).finding;
    expect(found?.kind).toBe('rejected');
    const small = shrinkPlan(plan, found!, {});
    const lines = small.spec.trim().split('\n');
    expect(lines).toContain('p0: mmap anon expect pages 1');
    expect(lines.length).toBeLessThanOrEqual(5);
  });
});

describe('the content model', () => {
  const region = (shared: boolean): RegionM => ({
    name: 'r', kind: 'anon', shared, huge: false, start: 0x1000,
    pages: [{ k: 'anon', cell: { v: 'a', lazy: false } }], prots: ['rw'],
  });

  it('copies private pages at fork and shares shared ones', () => {
    const priv = region(false), shar = region(true);
    const p1 = forkPage(priv, priv.pages[0]!)!, p2 = forkPage(shar, shar.pages[0]!)!;
    expect(p1).not.toBe(priv.pages[0]);
    expect(p2).toBe(shar.pages[0]);
  });

  it('drops private contents on MADV_DONTNEED and makes MADV_FREE pages old-or-zero', () => {
    const r = region(false);
    lazyFree(r, 0);
    expect(valuesOf(r.pages[0]!)).toEqual(['a', 0]);
    dontneed(r, 0);
    expect(valuesOf(r.pages[0]!)).toEqual([0]);
    const s = region(true);
    dontneed(s, 0);
    expect(valuesOf(s.pages[0]!)).toEqual(['a']);
  });

  it('predicts SIGSEGV for holes and protections, and SIGBUS for a mirror of a hole', () => {
    const p: ProcM = { name: 'p', pid: 1, alive: true, killed: false, regions: new Map() };
    const r = region(false);
    r.prots[0] = 'r';
    p.regions.set('r', r);
    expect(accessOutcomes(p, 0x1000, true)).toEqual([{ sig: 'SIGSEGV' }]);
    expect(accessOutcomes(p, 0x9000, false)).toEqual([{ sig: 'SIGSEGV' }]);
    const dev = { name: 'm', opener: p, target: p, options: '', safe: true, fault: 'hmm' as const, copyOnFork: false, fdOpen: true };
    p.regions.set('v', { name: 'v', kind: 'view', shared: true, huge: false, start: 0x5000, dev, pages: [{ k: 'view', dev, taddr: 0x9000, copy: false }], prots: ['r'] });
    expect(accessOutcomes(p, 0x5000, false)).toEqual([{ sig: 'SIGBUS' }]);
  });
});

describe('a campaign', () => {
  it('finds nothing in a small fixed-seed campaign', () => {
    const r = runCampaign({ seed: 3, count: 25 });
    expect(r.findings.map((f) => `${f.kind}: ${f.message}\n${f.spec}`)).toEqual([]);
    expect(r.run).toBe(25);
  });

  it('refuses bad arguments and unknown mirror options with exit 2', () => {
    const lines: string[] = [];
    const io = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) };
    expect(cmdFuzz(['--count', 'x'], io)).toBe(2);
    expect(cmdFuzz(['--mirror', 'check=maybe'], io)).toBe(2);
    expect(cmdFuzz(['--frobnicate'], io)).toBe(2);
    expect(lines.join('\n')).toContain("check takes valid or inverted or none, not 'maybe'");
  });
});

describe('a hunt (--mirror)', () => {
  it('finds the literal pseudocode livelocking in its first scenario, and shrinks it to a few lines', () => {
    const r = runCampaign({ seed: 1, count: 3, mirror: 'check=inverted' });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.kind).toBe('violation');
    expect(f.message).toContain('livelock');
    expect(f.spec).toContain('with check=inverted');
    expect(f.shrunkLines).toBeLessThanOrEqual(8);
  });

  it('keeps only what the default design does not break in the same scenario', () => {
    // mkwrite=none over a read-only target: the default driver's pfn_mkwrite refuses it.
    const r = runCampaign({ seed: 1, count: 40, mirror: 'mkwrite=none' });
    expect(r.findings.map((f) => f.message)).toEqual([expect.stringContaining('mirror-perm')]);
  });
});
