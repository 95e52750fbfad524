import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  diffLines, goldenFor, goldenMode, goldenProblem, judgeGolden, serializeTrace, specForGolden,
} from './golden.js';
import type { SpecRun, TraceDoc } from './result.js';
import { collectSpecs, findOrphanGoldens, findRoot, judgeSpec, titleOf } from './suite.js';

const doc: TraceDoc = {
  spec: 'Reclaim of a mirrored page: zaps the mirror PTE',
  steps: [
    { at: 'L5 vm1: mmap anon heap pages 4', events: ['vm1: mmap heap 0x7f0000000000..0x7f0000004000 rw'] },
    { at: 'L6 vm1: write heap[0] "x"', events: ['fault vm1 heap[0] -> frame 0', 'yes', '- dash', 'a #b'] },
    { at: 'L7 kernel: compact', events: [] },
  ],
  final: { processes: { vm1: { heap: ['0x7f0000000000 -> frame 0 rw dirty'] } }, free: 4095 },
};

describe('serializeTrace', () => {
  test('writes fixed keys in order, quoting only where YAML needs it', () => {
    expect(serializeTrace(doc)).toBe([
      'spec: "Reclaim of a mirrored page: zaps the mirror PTE"',
      'steps:',
      '  - at: "L5 vm1: mmap anon heap pages 4"',
      '    events:',
      '      - "vm1: mmap heap 0x7f0000000000..0x7f0000004000 rw"',
      '  - at: \'L6 vm1: write heap[0] "x"\'',
      '    events:',
      '      - fault vm1 heap[0] -> frame 0',
      '      - yes',
      '      - "- dash"',
      '      - "a #b"',
      '  - at: "L7 kernel: compact"',
      '    events: []',
      'final:',
      '  processes:',
      '    vm1:',
      '      heap:',
      '        - 0x7f0000000000 -> frame 0 rw dirty',
      '  free: 4095',
      '',
    ].join('\n'));
  });

  test('never folds long lines and never emits anchors for shared objects', () => {
    const shared = { pfn: 3 };
    const long = 'event '.repeat(60).trim();
    const text = serializeTrace({ spec: 's', steps: [{ at: 'L1', events: [long] }], final: { a: shared, b: shared } });
    expect(text).toContain(`      - ${long}\n`);
    expect(text).not.toMatch(/[&*]a1/);
  });

  test('is independent of the key order of the TraceDoc object', () => {
    const reordered = { final: doc.final, steps: doc.steps.map((s) => ({ events: s.events, at: s.at })), spec: doc.spec };
    expect(serializeTrace(reordered)).toBe(serializeTrace(doc));
  });
});

describe('diffLines', () => {
  const names = { oldName: 'old', newName: 'new' };
  const lines = (n: number, f: (i: number) => string = (i) => `line ${i}`) =>
    Array.from({ length: n }, (_, i) => f(i + 1)).join('\n') + '\n';

  test('equal texts have no diff', () => {
    expect(diffLines('a\nb\n', 'a\nb\n', names)).toBe('');
  });

  test('a changed line in the middle shows three lines of context', () => {
    const a = lines(10);
    const b = lines(10, (i) => (i === 5 ? 'line five' : `line ${i}`));
    expect(diffLines(a, b, names)).toBe([
      '--- old', '+++ new', '@@ -2,7 +2,7 @@',
      ' line 2', ' line 3', ' line 4', '-line 5', '+line five', ' line 6', ' line 7', ' line 8',
    ].join('\n'));
  });

  test('distant changes make separate hunks; near ones share a hunk', () => {
    const a = lines(30);
    const far = lines(30, (i) => (i === 3 || i === 25 ? `changed ${i}` : `line ${i}`));
    expect(diffLines(a, far, names).match(/^@@/gm)).toHaveLength(2);
    const near = lines(30, (i) => (i === 3 || i === 9 ? `changed ${i}` : `line ${i}`));
    expect(diffLines(a, near, names).match(/^@@/gm)).toHaveLength(1);
  });

  test('insertions and deletions, at the edges too', () => {
    expect(diffLines('a\nb\nc\n', 'x\na\nc\nd\n', names)).toBe([
      '--- old', '+++ new', '@@ -1,3 +1,4 @@', '+x', ' a', '-b', ' c', '+d',
    ].join('\n'));
    expect(diffLines('', 'a\n', names)).toBe(['--- old', '+++ new', '@@ -0,0 +1 @@', '+a'].join('\n'));
    expect(diffLines('a\n', '', names)).toBe(['--- old', '+++ new', '@@ -1 +0,0 @@', '-a'].join('\n'));
  });

  test('a replaced run lists deletions before insertions', () => {
    expect(diffLines('k\na\nb\nk2\n', 'k\nc\nd\nk2\n', names)).toBe([
      '--- old', '+++ new', '@@ -1,4 +1,4 @@', ' k', '-a', '-b', '+c', '+d', ' k2',
    ].join('\n'));
  });

  test('applying the hunks to the old text gives the new one (seeded random texts)', () => {
    let seed = 12345;
    const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    const text = () => Array.from({ length: rand(40) }, () => 'abcde'[rand(5)]).map((l) => `${l}\n`).join('');
    for (let round = 0; round < 200; round++) {
      const a = text(), b = text();
      const diff = diffLines(a, b, { ...names, context: rand(4) });
      expect(applyHunks(a, diff), `${JSON.stringify(a)} → ${JSON.stringify(b)}`).toBe(b);
    }
  });

  test('texts that differ only in line endings get a note instead of hunks', () => {
    expect(diffLines('a\nb', 'a\nb\n', names)).toContain('differ only in line endings or the final newline');
  });
});

/** Applies a unified diff made by diffLines (checking its context and counts) to text. */
function applyHunks(text: string, diff: string): string {
  if (diff === '') return text;
  const old = text.split('\n').slice(0, -1);
  const out: string[] = [];
  let next = 0; // index into old of the first line not yet copied
  const lines = diff.split('\n').slice(2);
  for (let k = 0; k < lines.length;) {
    const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$/.exec(lines[k++])!;
    expect(m).not.toBeNull();
    const oldCount = m[2] === undefined ? 1 : Number(m[2]);
    const start = oldCount === 0 ? Number(m[1]) : Number(m[1]) - 1;
    out.push(...old.slice(next, start));
    next = start;
    let seenOld = 0;
    while (k < lines.length && !lines[k].startsWith('@@')) {
      const [kind, body] = [lines[k][0], lines[k].slice(1)];
      if (kind !== '+') { expect(old[next]).toBe(body); next++; seenOld++; }
      if (kind !== '-') out.push(body);
      k++;
    }
    expect(seenOld).toBe(oldCount);
  }
  out.push(...old.slice(next));
  return out.map((l) => `${l}\n`).join('');
}

describe('golden paths and modes', () => {
  test('specs/<area>/<name>.mms has its golden at fixtures/<area>/<name>.trace.yaml', () => {
    const ref = goldenFor('/r', '/r/specs/seed/reclaim.mms');
    expect(ref).toEqual({ path: join('/r', 'fixtures', 'seed', 'reclaim.trace.yaml'),
      shown: 'fixtures/seed/reclaim.trace.yaml', specShown: 'specs/seed/reclaim.mms' });
    expect(specForGolden('fixtures/seed/reclaim.trace.yaml')).toBe('specs/seed/reclaim.mms');
  });

  test('a spec outside specs/ has no golden', () => {
    expect(goldenFor('/r', '/r/tmp/x.mms')).toBeUndefined();
    expect(goldenFor('/r', '/elsewhere/specs/x.mms')).toBeUndefined();
  });

  test('CI=true wins over an update request', () => {
    expect(goldenMode(false, {})).toBe('local');
    expect(goldenMode(true, {})).toBe('update');
    expect(goldenMode(true, { CI: 'true' })).toBe('ci');
    expect(goldenMode(false, { CI: 'true' })).toBe('ci');
    expect(goldenMode(false, { CI: '1' })).toBe('local');
  });
});

describe('judgeGolden on a temp dir', () => {
  let root: string;
  beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'mmspec-golden-')); });
  afterEach(() => { rmSync(root, { recursive: true, force: true }); });
  const ref = () => goldenFor(root, join(root, 'specs', 'area', 'x.mms'))!;
  const changed: TraceDoc = { ...doc, final: { free: 4094 } };

  test('local: a missing golden is written; then it matches', () => {
    expect(judgeGolden(doc, ref(), 'local').kind).toBe('written');
    expect(readFileSync(ref().path, 'utf8')).toBe(serializeTrace(doc));
    expect(judgeGolden(doc, ref(), 'local').kind).toBe('match');
  });

  test('local: a changed trace fails with a diff naming golden and spec, and writes nothing', () => {
    judgeGolden(doc, ref(), 'local');
    const outcome = judgeGolden(changed, ref(), 'local');
    expect(outcome.kind).toBe('changed');
    if (outcome.kind !== 'changed') return;
    expect(outcome.diff).toContain('--- fixtures/area/x.trace.yaml (golden)');
    expect(outcome.diff).toContain('+++ specs/area/x.mms (this run)');
    expect(outcome.diff).toContain('+  free: 4094');
    expect(goldenProblem(outcome)).toMatch(/fixtures\/area\/x\.trace\.yaml differs from the trace of specs\/area\/x\.mms/);
    expect(readFileSync(ref().path, 'utf8')).toBe(serializeTrace(doc));
  });

  test('update: a changed golden is rewritten, reporting what changed', () => {
    judgeGolden(doc, ref(), 'local');
    const outcome = judgeGolden(changed, ref(), 'update');
    expect(outcome.kind).toBe('updated');
    expect(goldenProblem(outcome)).toBeUndefined();
    expect(readFileSync(ref().path, 'utf8')).toBe(serializeTrace(changed));
  });

  test('ci: a missing golden fails and nothing is written; a changed one fails', () => {
    const missing = judgeGolden(doc, ref(), 'ci');
    expect(missing.kind).toBe('missing');
    expect(goldenProblem(missing)).toContain('fixtures/area/x.trace.yaml of specs/area/x.mms is missing');
    expect(existsSync(ref().path)).toBe(false);
    expect(existsSync(join(root, 'fixtures'))).toBe(false);
    judgeGolden(doc, ref(), 'local');
    expect(judgeGolden(changed, ref(), 'ci').kind).toBe('changed');
    expect(readFileSync(ref().path, 'utf8')).toBe(serializeTrace(doc));
  });

  test('a golden that differs byte for byte (CRLF) fails', () => {
    mkdirSync(join(root, 'fixtures', 'area'), { recursive: true });
    writeFileSync(ref().path, serializeTrace(doc).replace(/\n/g, '\r\n'));
    expect(judgeGolden(doc, ref(), 'local').kind).toBe('changed');
  });
});

describe('suite', () => {
  let root: string;
  beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'mmspec-suite-')); });
  afterEach(() => { rmSync(root, { recursive: true, force: true }); });
  const put = (rel: string, text = '') => {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  };

  test('goldens without a spec are orphans', () => {
    put('specs/a/x.mms');
    put('fixtures/a/x.trace.yaml');
    put('fixtures/a/gone.trace.yaml');
    put('fixtures/b/notes.txt');
    expect(findOrphanGoldens(root)).toEqual(['fixtures/a/gone.trace.yaml']);
  });

  test('folders expand to their .mms files in sorted order; missing paths are listed', () => {
    put('specs/b/y.mms');
    put('specs/a/x.mms');
    put('specs/a/readme.md');
    const { files, missing } = collectSpecs(['specs', 'specs/a/x.mms', 'nope'], root);
    expect(files).toEqual([join(root, 'specs/a/x.mms'), join(root, 'specs/b/y.mms')]);
    expect(missing).toEqual(['nope']);
  });

  test('the root is the nearest folder with a package.json', () => {
    put('package.json', '{}');
    put('specs/a/x.mms');
    expect(findRoot(join(root, 'specs', 'a'))).toBe(root);
  });

  test('titleOf reads the spec statement without parsing', () => {
    expect(titleOf('# c\nspec "A \\"quoted\\" title"\n')).toBe('A "quoted" title');
    expect(titleOf('process vm1\n')).toBeUndefined();
  });

  const run = (over: Partial<SpecRun>): SpecRun =>
    ({ file: 'specs/a/x.mms', title: 'T', source: 'spec "T"\n', diagnostics: [], failures: [], trace: doc, ...over });

  test('judgeSpec: bad input, failure, internal error, and the golden only for a passing run', () => {
    const ref = goldenFor(root, join(root, 'specs/a/x.mms'));
    const diag = { file: 'specs/a/x.mms', line: 1, col: 1, length: 1, message: 'm' };
    expect(judgeSpec('', 'f', ref, 'local', () => run({ diagnostics: [diag], trace: undefined })).status).toBe('bad-input');
    const failed = judgeSpec('', 'f', ref, 'local', () => run({ failures: [{ line: 1, col: 1, message: 'no' }] }));
    expect(failed.status).toBe('failed');
    expect(failed.golden).toBeUndefined();
    expect(existsSync(ref!.path)).toBe(false);
    const thrown = judgeSpec('spec "Boom"\n', 'f', ref, 'local', () => { throw new Error('bug'); });
    expect(thrown).toMatchObject({ status: 'failed', title: 'Boom' });
    expect((thrown.internalError as Error).message).toBe('bug');
    expect(judgeSpec('', 'f', ref, 'ci', () => run({})).status).toBe('failed');
    expect(judgeSpec('', 'f', ref, 'local', () => run({})).golden?.kind).toBe('written');
    expect(judgeSpec('', 'f', undefined, 'ci', () => run({})).status).toBe('passed');
  });
});
