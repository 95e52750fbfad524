import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyMutator, judgeOutcome, loadCorpus, makeMutant, mutationCampaign, MUTATORS, type CommandOutcome,
} from './mutate.js';
import { Rng } from './rng.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const specs = join(repo, 'specs');
const corpus = loadCorpus([specs]);
let out: string;
beforeAll(() => { out = mkdtempSync(join(tmpdir(), 'mmspec-mutate-test-')); });
afterAll(() => { rmSync(out, { recursive: true, force: true }); });

describe('Rng', () => {
  it('is a function of (seed, stream) alone', () => {
    const a = new Rng(42, 7), b = new Rng(42, 7), c = new Rng(42, 8), d = new Rng(43, 7);
    const seq = (r: Rng) => Array.from({ length: 8 }, () => r.u32());
    const first = seq(a);
    expect(seq(b)).toEqual(first);
    expect(seq(c)).not.toEqual(first);
    expect(seq(d)).not.toEqual(first);
    expect(new Set(first).size).toBe(8);
  });

  it('int(n) stays in [0, n)', () => {
    const r = new Rng(1);
    const seen = new Set(Array.from({ length: 2000 }, () => r.int(10)));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('mutators', () => {
  it('a mutant is a function of (seed, index): the same bytes every time, others for another seed', () => {
    for (let i = 0; i < 40; i++) {
      const m = makeMutant(corpus, 5, i);
      expect(makeMutant(corpus, 5, i)).toEqual(m);
      expect(m.mutations.length).toBeGreaterThan(0);
    }
    const a = Array.from({ length: 40 }, (_, i) => makeMutant(corpus, 5, i).bytes.toString('latin1'));
    const b = Array.from({ length: 40 }, (_, i) => makeMutant(corpus, 6, i).bytes.toString('latin1'));
    expect(a).not.toEqual(b);
  });

  it('over many mutants, every mutator is drawn', () => {
    const drawn = new Set<string>();
    for (let i = 0; i < 3000; i++) for (const m of makeMutant(corpus, 9, i).mutations) drawn.add(m);
    expect([...drawn].sort()).toEqual(Object.keys(MUTATORS).sort());
  });

  const base = 'spec "t"\nprocess vm1\nvm1: mmap anon heap pages 4\nvm1: write heap[1] "x"\n';
  it('each one breaks the file in its own way', () => {
    expect(applyMutator('bom', base, 1, corpus)).toBe(`\ufeff${base}`);
    expect(applyMutator('crlf', base, 1, corpus).split('\n').slice(0, -1).every((l) => l.endsWith('\r')) ||
      !applyMutator('crlf', base, 1, corpus).includes('\n')).toBe(true);
    expect(applyMutator('empty', base, 1, corpus)).toBe('');
    expect(Math.max(...applyMutator('long-line', base, 1, corpus).split('\n').map((l) => l.length))).toBeGreaterThanOrEqual(100_000);
    expect(applyMutator('deep-nesting', base, 1, corpus).split('{').length).toBeGreaterThan(50);
    expect(applyMutator('nul', base, 1, corpus)).toContain('\0');
    expect(applyMutator('huge-number', base, 3, corpus)).not.toBe(base);
    expect(applyMutator('truncate', base, 2, corpus).length).toBeLessThanOrEqual(base.length);
    const lines = base.split('\n').length;
    expect(applyMutator('delete-lines', base, 1, corpus).split('\n').length).toBeLessThan(lines);
    expect(applyMutator('duplicate-lines', base, 1, corpus).split('\n').length).toBeGreaterThan(lines);
  });
});

describe('judging one answer', () => {
  const ok = (o: Partial<CommandOutcome>): CommandOutcome => ({ argv: ['check', 'm.mms'], code: 0, out: '', err: '', ms: 1, ...o });
  const located = 'm.mms:2:1: error: expected a statement\nfoo\n^^^';
  it('accepts a located error, a pass and a failed expectation', () => {
    expect(judgeOutcome(ok({ code: 2, err: `${located}\n1 of 1 spec with errors` }), 'm.mms', 3)).toBeUndefined();
    expect(judgeOutcome(ok({ code: 0, out: '1 spec checked, no errors' }), 'm.mms', 3)).toBeUndefined();
    expect(judgeOutcome(ok({ argv: ['run', 'm.mms'], code: 2, out: 'FAIL  m.mms  t  (bad input)\n\n0 passed, 1 failed', err: `    ${located.split('\n').join('\n    ')}` }), 'm.mms', 3)).toBeUndefined();
  });
  it('refuses stack traces, internal errors, unlocated errors, floods, long lines and odd exit codes', () => {
    const kind = (o: Partial<CommandOutcome>) => judgeOutcome(ok(o), 'm.mms', 3)?.kind;
    expect(kind({ code: 1, err: 'TypeError: x is undefined\n    at parse (/a/b.js:12:5)' })).toBe('stack-trace');
    expect(kind({ code: 1, err: 'm.mms: internal error: boom' })).toBe('internal-error');
    expect(kind({ code: 2, err: 'm.mms: error: something' })).toBe('unlocated');
    expect(kind({ code: 2, err: 'm.mms:2:1: error: no caret follows\nfoo' })).toBe('unlocated');
    expect(kind({ code: 2, err: '1 of 1 spec with errors' })).toBe('unlocated');
    expect(kind({ code: 2, err: Array.from({ length: 21 }, () => located).join('\n') })).toBe('too-many-errors');
    expect(kind({ code: 2, err: `${located}\n${'x'.repeat(5000)}` })).toBe('long-line');
    expect(kind({ code: 3 })).toBe('exit-code');
    expect(kind({ code: undefined, threw: 'Error: boom' })).toBe('threw');
  });
});

describe('mutationCampaign', () => {
  it('reports a runner that throws, with the saved mutant (so the guard below can fail)', async () => {
    const r = await mutationCampaign({
      seed: 3, count: 4, specsDir: specs, outDir: out, shrink: false,
      main: () => { throw new TypeError('fake main broke'); },
    });
    expect(r.failures.map((f) => f.kind)).toEqual(['threw', 'threw', 'threw', 'threw']);
    expect(r.failures[0]!.why).toBe('main threw: TypeError: fake main broke');
    expect(readFileSync(r.failures[0]!.file)).toEqual(makeMutant(corpus, 3, 0).bytes);
  });

  it('reports a runner that prints a stack trace, and shrinks the mutant while it fails so', async () => {
    const r = await mutationCampaign({
      seed: 3, count: 1, specsDir: specs, outDir: out, shrinkRuns: 400,
      main: (_argv, io) => { io.err('Error: x\n    at foo (/x/y.js:1:2)'); return 1; },
    });
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]!.kind).toBe('stack-trace');
    expect(readFileSync(r.failures[0]!.shrunk!).length).toBe(0);
  });

  describe('through the real CLI, in a worker', () => {
    beforeAll(() => {
      const build = spawnSync(process.execPath, [join(repo, 'scripts', 'build.mjs')], { encoding: 'utf8' });
      expect(build.status, build.stdout + build.stderr).toBe(0);
    }, 120_000);

    it('60 mutants of the suite: no crash, no unlocated error, no hang (the CI guard)', async () => {
      const r = await mutationCampaign({ seed: 20261203, count: 60, specsDir: specs, outDir: out });
      expect(r.failures.map((f) => `${f.index} ${f.mutations.join('+')}: ${f.kind}: ${f.why}`)).toEqual([]);
      expect(r.mutants).toBe(60);
      const runs = (r.exits['run 0'] ?? 0) + (r.exits['run 1'] ?? 0) + (r.exits['run 2'] ?? 0);
      expect(runs).toBe(60);
      expect(r.exits['run 2']).toBeGreaterThan(0);
    }, 300_000);

    it('a mutant that outlives its budget is reported as a hang, and the campaign goes on', async () => {
      const r = await mutationCampaign({ seed: 1, count: 2, specsDir: specs, outDir: out, timeoutMs: 1, shrink: false });
      expect(r.failures.map((f) => f.kind)).toEqual(['hang', 'hang']);
    }, 60_000);
  });
});
