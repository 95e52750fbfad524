import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SpecRun } from '../run/result.js';
import type { SpecResult } from '../run/suite.js';
import { identityMap, specModule } from './plugin.js';
import { verdictError, vitestGoldenMode } from './runtime.js';

const spec = 'spec "Three lines"\nprocess vm1\n  vm1: read x\n';

describe('the generated test module', () => {
  test('has exactly the line count of the spec, with at[N] on line N', () => {
    const code = specModule(spec, 'specs/a/x.mms', '/r', '/rt.ts', '/run.ts');
    const lines = code.split('\n');
    expect(lines).toHaveLength(spec.split('\n').length);
    lines.forEach((l) => expect(l).toContain('(m) => new Error(m)'));
    expect(lines[0]).toMatch(/^import .*"\/rt\.ts".*import .*"\/run\.ts".*\[null, \(m\) => new Error\(m\),$/);
    expect(lines.at(-1)).toContain('__mmsRegister({"source":"spec \\"Three lines\\"\\nprocess vm1');
  });

  test('a one-line spec is a one-line module', () => {
    expect(specModule('spec "x"', 'x.mms', '/r', '/rt', '/run').split('\n')).toHaveLength(1);
  });

  test('evaluates to one factory per spec line, each creating its error on its own line', () => {
    const code = specModule(spec, 'specs/a/x.mms', '/r', '/rt', '/run');
    // Swap the imports for stand-ins and capture the factories.
    const body = code.replace(/^import .*?; import .*?; /, '').replace('__mmsRegister', 'capture');
    let at: ((m: string) => Error)[] = [];
    new Function('capture', '__mmsRun', `${body}\n//# sourceURL=gen.mms.js`)(
      (_spec: unknown, _run: unknown, factories: typeof at) => { at = factories; }, null);
    expect(at).toHaveLength(spec.split('\n').length + 1);
    for (let n = 1; n < at.length; n++) {
      const frame = at[n]('x').stack!.split('\n')[1];
      // new Function adds two lines of its own before the body.
      expect(frame).toMatch(new RegExp(`gen\\.mms\\.js:${n + 2}:\\d+`));
    }
  });

  test('maps each column of each generated line to the same line and column of the spec', () => {
    const map = identityMap('/r/specs/a/x.mms', 'ab\ncde\n\nf');
    // Line 1: columns 0, 1; line 2: back to column 0 (-1: D), then 1, 2; line 3 (empty): column 0 (-2: F); line 4: column 0.
    expect(map.mappings).toBe('AAAA,CAAC;AACD,CAAC,CAAC;AACF;AACA');
    expect(identityMap('/r/specs/a/x.mms', spec).sourcesContent).toEqual([spec]);
    expect(identityMap('/r/x.mms', 'x'.repeat(20) + '\ny').mappings).toMatch(/;AACnB$/);
  });
});

describe('the runtime', () => {
  const at = [null, ...[1, 2, 3].map((n) => (m: string) => Object.assign(new Error(m), { line: n }))];
  const run = (over: Partial<SpecRun>): SpecRun =>
    ({ file: 'specs/a/x.mms', title: 'T', source: spec, diagnostics: [], failures: [], ...over });
  const result = (r: Partial<SpecResult>): SpecResult => ({ file: 'specs/a/x.mms', title: 'T', status: 'failed', ...r });

  test('a failed expectation is an error made at its line', () => {
    const e = verdictError(result({ run: run({ failures: [
      { line: 3, col: 3, message: 'expected "y", found "x"', detail: 'more' }] }) }), at) as Error & { line: number };
    expect(e.line).toBe(3);
    expect(e.name).toBe('SpecFailure');
    expect(e.message).toBe('specs/a/x.mms:3:3: expected "y", found "x"\n  more');
  });

  test('several failures: one error each, made at its own line, in an AggregateError listing them all', () => {
    const e = verdictError(result({ run: run({ failures: [
      { line: 3, col: 3, message: 'expected "y", found "x"', detail: 'more' },
      { line: 2, col: 1, message: 'second' }] }) }), at) as AggregateError;
    expect(e).toBeInstanceOf(AggregateError);
    expect(e.name).toBe('SpecFailures');
    expect(e.message).toBe('2 failures:\nspecs/a/x.mms:3:3: expected "y", found "x"\n  more\nspecs/a/x.mms:2:1: second');
    expect((e.errors as (Error & { line: number })[]).map((x) => [x.line, x.name, x.message])).toEqual([
      [3, 'SpecFailure', 'specs/a/x.mms:3:3: expected "y", found "x"\n  more'],
      [2, 'SpecFailure', 'specs/a/x.mms:2:1: second'],
    ]);
  });

  test('bad input is an error at the first diagnostic with every diagnostic formatted', () => {
    const d = { file: 'specs/a/x.mms', line: 2, col: 9, length: 3, message: 'unknown thing' };
    const e = verdictError(result({ status: 'bad-input', run: run({ diagnostics: [d] }) }), at) as Error & { line: number };
    expect(e.line).toBe(2);
    expect(e.message).toBe('specs/a/x.mms:2:9: error: unknown thing\nprocess vm1\n        ^^^');
  });

  test('a golden mismatch is located at the spec line and carries the diff', () => {
    const ref = { path: '/r/fixtures/a/x.trace.yaml', shown: 'fixtures/a/x.trace.yaml', specShown: 'specs/a/x.mms' };
    const e = verdictError(result({ run: run({}), golden: { kind: 'changed', ref, diff: '--- a\n+++ b' } }), at) as Error & { line: number };
    expect(e.line).toBe(1);
    expect(e.name).toBe('GoldenMismatch');
    expect(e.message).toMatch(/differs from the trace of specs\/a\/x\.mms .*\n--- a\n\+\+\+ b$/);
    expect(verdictError(result({ status: 'passed', run: run({}), golden: { kind: 'written', ref } }), at)).toBeUndefined();
  });

  test('an internal error is rethrown as it is', () => {
    const bug = new Error('handleFault: no vma');
    expect(verdictError(result({ internalError: bug }), at)).toBe(bug);
  });

  test('update mode: -u is update, vitest CI mode or CI=true never writes', () => {
    expect(vitestGoldenMode('new', {})).toBe('local');
    expect(vitestGoldenMode('all', {})).toBe('update');
    expect(vitestGoldenMode('none', {})).toBe('ci');
    expect(vitestGoldenMode('all', { CI: 'true' })).toBe('ci');
    expect(vitestGoldenMode(undefined, {})).toBe('local');
  });
});

/**
 * vitest itself, spawned on a temporary project whose specs run through a stand-in
 * interpreter: what a developer sees from `npx vitest`.
 */
describe('vitest on .mms files', () => {
  const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  let root: string;

  const put = (rel: string, text: string) => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  const vitest = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync(process.execPath, [join(repo, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...args], {
      cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env },
    });
    return { code: r.status, out: r.stdout + r.stderr };
  };

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'mmspec-vitest-'));
    put('package.json', '{ "type": "module" }');
    put('vitest.config.mjs', `import { mmspec } from ${JSON.stringify(join(repo, 'src', 'vitest', 'plugin.ts'))};\n` +
      `export default { plugins: [mmspec({ runner: ${JSON.stringify(join(root, 'runner.mjs'))} })], ` +
      `test: { include: ['specs/**/*.mms'] } };\n`);
    // The stand-in interpreter: FAIL fails an expectation, BAD is bad input.
    put('runner.mjs', `export function runSpec(source, file) {
  const diagnostics = [], failures = [], steps = [];
  source.split('\\n').forEach((text, i) => {
    const col = text.search(/\\S/) + 1;
    if (text.includes('BAD')) diagnostics.push({ file, line: i + 1, col, length: 3, message: 'bad word' });
    if (text.includes('FAIL')) failures.push({ line: i + 1, col, message: 'expected "y", found "x"' });
    if (text.trim()) steps.push({ at: 'L' + (i + 1) + ' ' + text.trim(), events: ['did ' + text.trim()] });
  });
  return { file, title: source.split('"')[1], source, diagnostics, failures,
    trace: diagnostics.length ? undefined : { spec: file, steps, final: { n: steps.length } } };
}
`);
    put('specs/a/good.mms', 'spec "Good"\nvm1: read x\n');
    put('specs/a/fail.mms', 'spec "Fails"\n\n# a comment\nvm1: read x\n  expect FAIL here\nvm1: more\n');
    put('specs/a/fails.mms', 'spec "Fails twice"\nvm1: read x\n    expect FAIL one\nvm1: more\n  expect FAIL two\n');
    put('specs/a/bad.mms', 'spec "Bad"\nvm1: BAD x\n');
  }, 60_000);
  afterAll(() => { rmSync(root, { recursive: true, force: true }); });

  test('a failed expectation is reported at its .mms line with a code frame of the spec', () => {
    const r = vitest([]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('SpecFailure: specs/a/fail.mms:5:3: expected "y", found "x"');
    expect(r.out).toMatch(/specs\/a\/fail\.mms:5:3\n/);
    expect(r.out).toMatch(/ 5\|\s+expect FAIL here\n\s+\|\s{3}\^\n/);
    // Two failures: each reported at its own line and column, with its code frame.
    expect(r.out).toContain('SpecFailure: specs/a/fails.mms:3:5: expected "y", found "x"');
    expect(r.out).toMatch(/specs\/a\/fails\.mms:3:5\n/);
    expect(r.out).toContain('SpecFailure: specs/a/fails.mms:5:3: expected "y", found "x"');
    expect(r.out).toMatch(/specs\/a\/fails\.mms:5:3\n/);
    // Bad input is a failing test, not a broken file.
    expect(r.out).toContain('SpecError: specs/a/bad.mms:2:1: error: bad word');
    expect(r.out).toMatch(/Tests\s+3 failed \| 1 passed \(4\)/);
    // A missing golden is written locally, only for the passing spec.
    expect(readFileSync(join(root, 'fixtures/a/good.trace.yaml'), 'utf8')).toContain('- "did vm1: read x"');
    expect(existsSync(join(root, 'fixtures/a/fail.trace.yaml'))).toBe(false);
  }, 60_000);

  test('CI=true: a changed golden fails with its diff and a missing one fails; nothing is written', () => {
    put('specs/a/good.mms', 'spec "Good"\nvm1: write x\n');
    put('specs/a/new.mms', 'spec "New"\n');
    const r = vitest(['specs/a/good.mms', 'specs/a/new.mms'], { CI: 'true' });
    expect(r.code).toBe(1);
    expect(r.out).toContain('GoldenMismatch: golden fixtures/a/good.trace.yaml differs from the trace of specs/a/good.mms');
    expect(r.out).toContain('-      - "did vm1: read x"\n+      - "did vm1: write x"');
    expect(r.out).toContain('GoldenMissing: golden fixtures/a/new.trace.yaml of specs/a/new.mms is missing');
    expect(existsSync(join(root, 'fixtures/a/new.trace.yaml'))).toBe(false);
    expect(readFileSync(join(root, 'fixtures/a/good.trace.yaml'), 'utf8')).toContain('read x');
  }, 60_000);

  test('vitest -u rewrites the changed golden', () => {
    const r = vitest(['specs/a/good.mms', '-u']);
    expect(r.code).toBe(0);
    expect(readFileSync(join(root, 'fixtures/a/good.trace.yaml'), 'utf8')).toContain('- "did vm1: write x"');
  }, 60_000);
});
