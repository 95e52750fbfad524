import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { main, type CliDeps } from './cli.js';
import { cmdFuzz, FUZZ_USAGE } from './fuzz/command.js';
import { serializeTrace } from './run/golden.js';
import { useColor } from './run/report.js';
import type { Diagnostic, Failure, SpecRun, TraceStep } from './run/result.js';

/**
 * A stand-in interpreter: a line containing BAD is bad input, FAIL a failed expectation,
 * THROW a simulator bug; every other non-empty line is a step with one event.
 */
function fakeRun(source: string, file: string): SpecRun {
  const title = /spec "(.*)"/.exec(source)?.[1] ?? file;
  const diagnostics: Diagnostic[] = [];
  const failures: Failure[] = [];
  const steps: TraceStep[] = [];
  source.split('\n').forEach((text, i) => {
    const col = text.search(/\S/) + 1;
    if (text.includes('THROW')) throw new Error('simulator bug: boom');
    if (text.includes('BAD')) diagnostics.push({ file, line: i + 1, col, length: 3, message: 'unknown process "BAD"' });
    if (text.includes('FAIL')) failures.push({ line: i + 1, col, message: 'expected "y", found "x"', detail: 'detail line' });
    if (text.trim()) steps.push({ at: `L${i + 1} ${text.trim()}`, events: [`did ${text.trim()}`] });
  });
  const trace = diagnostics.length ? undefined : { spec: title, steps, final: { lines: steps.length } };
  return { file, title, source, diagnostics, failures, trace };
}

const fake: CliDeps = {
  runSpec: fakeRun,
  checkSource: (source, file) => fakeRun(source.replace(/THROW|FAIL/g, ''), file).diagnostics,
};

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mmspec-cli-'));
  writeFileSync(join(root, 'package.json'), '{}');
});
afterEach(() => { rmSync(root, { recursive: true, force: true }); });

function put(rel: string, text: string): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}

interface Outcome { code: number; out: string; err: string }

function cli(argv: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; color?: boolean } = {}): Outcome {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, {
    cwd: opts.cwd ?? root, env: opts.env ?? {},
    out: (t) => { out.push(t); }, err: (t) => { err.push(t); },
    colorOut: opts.color ?? false, colorErr: opts.color ?? false,
  }, fake);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const lastLine = (text: string) => text.split('\n').at(-1);

describe('mmspec run', () => {
  test('all passing: exit 0, one PASS line per spec, summary alone on the last line', () => {
    put('specs/a/x.mms', 'spec "X works"\nvm1: read\n');
    put('specs/b/y.mms', 'spec "Y works"\n');
    const r = cli(['run']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual([
      'PASS  specs/a/x.mms  X works  (golden written: fixtures/a/x.trace.yaml)',
      'PASS  specs/b/y.mms  Y works  (golden written: fixtures/b/y.trace.yaml)',
      '',
      '2 passed, 0 failed',
    ]);
    expect(readFileSync(join(root, 'fixtures/a/x.trace.yaml'), 'utf8'))
      .toBe(serializeTrace(fakeRun('spec "X works"\nvm1: read\n', 'specs/a/x.mms').trace!));
    expect(cli(['run']).out).toContain('PASS  specs/a/x.mms  X works\n');
  });

  test('a failed expectation: exit 1 with file:line:col, message and detail', () => {
    put('specs/a/f.mms', 'spec "F"\nvm1: read\n\n  expect FAIL\n');
    const r = cli(['run', 'specs/a/f.mms']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAIL  specs/a/f.mms  F\n    specs/a/f.mms:4:3: expected "y", found "x"\n      detail line');
    expect(lastLine(r.out)).toBe('0 passed, 1 failed');
    expect(existsSync(join(root, 'fixtures'))).toBe(false);
  });

  test('bad input: exit 2 with located diagnostics on stderr (as check and trace), even among passing and failing specs', () => {
    put('specs/a/bad.mms', 'spec "B"\nBAD: read\n');
    put('specs/a/f.mms', 'spec "F"\nFAIL\n');
    put('specs/a/ok.mms', 'spec "O"\n');
    const r = cli(['run']);
    expect(r.code).toBe(2);
    expect(r.out).toContain('FAIL  specs/a/bad.mms  B  (bad input)\nFAIL  specs/a/f.mms');
    expect(r.out).not.toContain('unknown process');
    expect(r.err).toBe('    specs/a/bad.mms:2:1: error: unknown process "BAD"\n    BAD: read\n    ^^^');
    expect(lastLine(r.out)).toBe('1 passed, 2 failed');
  });

  test('an internal error names the spec, exits 1, and shows no stack unless MMSPEC_DEBUG=1', () => {
    put('specs/a/t.mms', 'spec "T"\nTHROW\n');
    const r = cli(['run']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAIL  specs/a/t.mms  T\n    specs/a/t.mms: internal error: simulator bug: boom');
    expect(r.out).not.toMatch(/^\s+at /m);
    expect(cli(['run'], { env: { MMSPEC_DEBUG: '1' } }).out).toMatch(/^\s+at .*fakeRun/m);
  });

  test('a changed golden fails with a diff naming golden and spec; --update rewrites it', () => {
    put('specs/a/x.mms', 'spec "X"\nvm1: read\n');
    cli(['run']);
    put('specs/a/x.mms', 'spec "X"\nvm1: write\n');
    const r = cli(['run']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('golden fixtures/a/x.trace.yaml differs from the trace of specs/a/x.mms');
    expect(r.out).toContain('--- fixtures/a/x.trace.yaml (golden)\n');
    expect(r.out).toContain('-      - "did vm1: read"\n    +      - "did vm1: write"');
    const u = cli(['run', '--update']);
    expect(u.code).toBe(0);
    expect(u.out).toContain('PASS  specs/a/x.mms  X  (golden updated: fixtures/a/x.trace.yaml)');
    expect(cli(['run']).code).toBe(0);
  });

  test('a spec\'s golden is found from the spec\'s place, whatever folder the command runs from', () => {
    put('specs/a/x.mms', 'spec "X"\nvm1: read\n');
    cli(['run']);
    put('specs/a/x.mms', 'spec "X"\nvm1: write\n');
    const elsewhere = mkdtempSync(join(tmpdir(), 'mmspec-cwd-'));
    try {
      const r = cli(['run', join(root, 'specs/a/x.mms')], { cwd: elsewhere });
      expect(r.code).toBe(1);
      expect(r.out).toContain('differs from the trace of');
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  test('a golden that cannot be read fails its spec, naming the file; the other specs still run', () => {
    put('specs/a/x.mms', 'spec "X"\nvm1: read\n');
    put('specs/a/y.mms', 'spec "Y"\nvm1: read\n');
    mkdirSync(join(root, 'fixtures/a/x.trace.yaml'), { recursive: true });
    const r = cli(['run', 'specs/a/x.mms', 'specs/a/y.mms']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL {2}specs\/a\/x\.mms[^\n]*\n[^\n]*internal error: golden fixtures\/a\/x\.trace\.yaml: EISDIR/);
    expect(r.out).toContain('PASS  specs/a/y.mms');
    expect(lastLine(r.out)).toContain('1 passed, 1 failed');
  });

  test('CI=true: a missing golden fails and nothing is written, not even with --update', () => {
    put('specs/a/x.mms', 'spec "X"\n');
    const r = cli(['run', '--update'], { env: { CI: 'true' } });
    expect(r.code).toBe(1);
    expect(r.out).toContain('golden fixtures/a/x.trace.yaml of specs/a/x.mms is missing');
    expect(existsSync(join(root, 'fixtures'))).toBe(false);
  });

  test('specs outside specs/ have no golden and are judged by their expectations alone', () => {
    put('scratch/s.mms', 'spec "S"\n');
    put('scratch/f.mms', 'spec "F"\nFAIL\n');
    expect(cli(['run', 'scratch/s.mms'], { env: { CI: 'true' } }).code).toBe(0);
    expect(cli(['run', 'scratch'], { env: { CI: 'true' } }).code).toBe(1);
    expect(existsSync(join(root, 'fixtures'))).toBe(false);
  });

  test('goldens without a spec fail a whole-suite run; --update deletes them', () => {
    put('specs/a/x.mms', 'spec "X"\n');
    put('fixtures/a/gone.trace.yaml', 'spec: gone\n');
    cli(['run']);
    expect(cli(['run', 'specs/a/x.mms']).code).toBe(0);
    const r = cli(['run']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAIL  fixtures/a/gone.trace.yaml  orphan golden: there is no specs/a/gone.mms');
    expect(lastLine(r.out)).toBe('1 passed, 1 failed');
    expect(cli(['run', '--update']).code).toBe(0);
    expect(existsSync(join(root, 'fixtures/a/gone.trace.yaml'))).toBe(false);
    expect(existsSync(join(root, 'fixtures/a/x.trace.yaml'))).toBe(true);
  });

  test('paths are relative to the working directory; specs/ is found from any folder below the root', () => {
    put('specs/a/x.mms', 'spec "X"\n');
    mkdirSync(join(root, 'src'));
    const r = cli(['run'], { cwd: join(root, 'src') });
    expect(r.code).toBe(0);
    expect(r.out).toContain('PASS  specs/a/x.mms  X');
    expect(cli(['run', '../specs/a/x.mms'], { cwd: join(root, 'src') }).out).toContain('PASS  specs/a/x.mms');
  });

  test('a path that does not exist, a folder without specs, or an unknown option, is bad input', () => {
    expect(cli(['run', 'nope.mms'])).toMatchObject({ code: 2, err: 'mmspec: no such file or folder: nope.mms' });
    mkdirSync(join(root, 'empty'));
    expect(cli(['run', 'empty'])).toMatchObject({ code: 2, err: 'mmspec: no specs (*.mms) in folder empty' });
    expect(cli(['run', '--frobnicate']).code).toBe(2);
    put('specs/a/x.mms', 'spec "X"\n');
    expect(cli(['check', '--max-states', '5', 'specs/a/x.mms']).err).toContain("unknown option '--max-states'");
    expect(cli(['frobnicate']).code).toBe(2);
    expect(cli([]).code).toBe(2);
  });

  test('colour only when asked for', () => {
    put('specs/a/x.mms', 'spec "X"\n');
    expect(cli(['run']).out).not.toContain('\x1b[');
    expect(cli(['run'], { color: true }).out).toContain('\x1b[');
    expect(useColor({ isTTY: true }, {})).toBe(true);
    expect(useColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColor({ isTTY: false }, {})).toBe(false);
    expect(useColor({}, { FORCE_COLOR: '1' })).toBe(true);
    expect(useColor({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(false);
  });
});

describe('the command line around the commands (issue 14)', () => {
  const pkg = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'package.json'), 'utf8')) as { version: string };

  test('--version and -V print the version of package.json', () => {
    expect(cli(['--version'])).toEqual({ code: 0, out: pkg.version, err: '' });
    expect(cli(['-V'])).toEqual({ code: 0, out: pkg.version, err: '' });
  });

  test('COMMAND --help (or -h) prints that command\'s options on stdout, exit 0, and runs nothing', () => {
    put('specs/a/x.mms', 'spec "X"\n');
    const run = cli(['run', '--help']);
    expect(run.code).toBe(0);
    expect(run.err).toBe('');
    expect(run.out).toMatch(/^usage: mmspec run /);
    for (const o of ['-u, --update', '--tag TAG', '--grep TEXT', '--reporter NAME', '--max-states N', '--no-color', '-h, --help']) {
      expect(run.out).toContain(`\n  ${o} `);
    }
    expect(existsSync(join(root, 'fixtures'))).toBe(false);
    expect(cli(['run', 'specs', '-h']).out).toBe(run.out);
    const check = cli(['check', '--help']);
    expect(check.code).toBe(0);
    expect(check.out).toMatch(/^usage: mmspec check /);
    expect(check.out).toContain('--no-color');
    expect(check.out).not.toContain('--update');
    const trace = cli(['trace', '-h']);
    expect(trace.out).toMatch(/^usage: mmspec trace /);
    expect(trace.out).toContain('--max-states N');
    const fuzz: string[] = [];
    expect(cmdFuzz(['--help'], { cwd: root, out: (t) => { fuzz.push(t); }, err: () => {} })).toBe(0);
    expect(fuzz.join('\n')).toBe(FUZZ_USAGE);
    for (const o of ['--seed', '--count', '--max-findings', '--mirror', '--index', '--mutate']) expect(FUZZ_USAGE).toContain(o);
  });

  test('mmspec help COMMAND is COMMAND --help', () => {
    expect(cli(['help', 'run']).out).toBe(cli(['run', '--help']).out);
    expect(cli(['help', 'trace']).out).toBe(cli(['trace', '--help']).out);
    expect(cli(['help']).out).toMatch(/^usage: mmspec run .*\n[^]*mmspec --version/);
  });

  test('a spec that does not parse is reported under the title of its spec line (real interpreter)', () => {
    put('p.mms', 'spec "Half written"\nprocess vm1\nvm1: frob\n');
    const out: string[] = [];
    const err: string[] = [];
    const code = main(['run', '--reporter', 'json', 'p.mms'], { cwd: root, env: {}, out: (t) => { out.push(t); }, err: (t) => { err.push(t); }, colorOut: false, colorErr: false });
    expect(code).toBe(2);
    const doc = JSON.parse(out.join('\n')) as { specs: { title: string; status: string; diagnostics: { line: number; col: number }[] }[] };
    expect(doc.specs[0]).toMatchObject({ title: 'Half written', status: 'bad-input', diagnostics: [{ line: 3, col: 6 }] });
    expect(err[0]).toBe('FAIL  p.mms  Half written  (bad input)');
  });

  test('an unknown option names itself and shows the command\'s help; a value is required where one is taken', () => {
    const r = cli(['run', '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^mmspec: unknown option '--frobnicate'\nusage: mmspec run /);
    expect(cli(['run', '--tag']).err).toMatch(/^mmspec: --tag needs a value \(TAG\)/);
    expect(cli(['run', '--update=yes']).err).toMatch(/^mmspec: --update takes no value/);
    expect(cli(['run', '--reporter', 'xml']).err).toMatch(/^mmspec: unknown reporter 'xml' \(human, json or junit\)/);
  });

  test('--no-color turns colour off where it would be on', () => {
    put('specs/a/x.mms', 'spec "X"\n');
    put('specs/a/bad.mms', 'spec "B"\nBAD\n');
    expect(cli(['run'], { color: true }).out).toContain('\x1b[');
    const r = cli(['run', '--no-color'], { color: true });
    expect(r.out + r.err).not.toContain('\x1b[');
    expect(r.out).toContain('PASS  specs/a/x.mms  X');
    expect(cli(['check', 'specs/a/bad.mms', '--no-color'], { color: true }).err).not.toContain('\x1b[');
  });

  describe('run --tag / --grep', () => {
    beforeEach(() => {
      put('specs/a/reclaim.mms', 'spec "Reclaim zaps the mirror"\ntags seed, reclaim\n');
      put('specs/a/fault.mms', 'spec "A fault maps the zero page"\ntags kernel, fault   # a comment\n');
      put('specs/b/untagged.mms', 'spec "Reclaim without tags"\n');
      put('fixtures/gone.trace.yaml', 'spec: gone\n');
    });
    const ran = (r: Outcome) => r.out.split('\n').filter((l) => /^(PASS|FAIL) /.test(l)).map((l) => l.split('  ')[1]);

    test('--tag runs the specs whose tags include it; repeated, any of them', () => {
      expect(ran(cli(['run', '--tag', 'reclaim']))).toEqual(['specs/a/reclaim.mms']);
      expect(ran(cli(['run', '--tag=fault']))).toEqual(['specs/a/fault.mms']);
      expect(ran(cli(['run', '--tag', 'fault', '--tag', 'seed']))).toEqual(['specs/a/fault.mms', 'specs/a/reclaim.mms']);
      // A filtered run is not the whole suite: the orphan golden is neither reported nor deleted.
      const r = cli(['run', '--tag', 'kernel', '--update']);
      expect(r.code).toBe(0);
      expect(lastLine(r.out)).toBe('1 passed, 0 failed');
      expect(existsSync(join(root, 'fixtures/gone.trace.yaml'))).toBe(true);
    });

    test('--grep runs the specs whose title contains the text; with --tag both must hold; with paths, among them', () => {
      expect(ran(cli(['run', '--grep', 'Reclaim']))).toEqual(['specs/a/reclaim.mms', 'specs/b/untagged.mms']);
      expect(ran(cli(['run', '--grep', 'zero page', '--grep', 'without']))).toEqual(['specs/a/fault.mms', 'specs/b/untagged.mms']);
      expect(ran(cli(['run', '--grep', 'Reclaim', '--tag', 'seed']))).toEqual(['specs/a/reclaim.mms']);
      expect(ran(cli(['run', 'specs/b', '--grep', 'Reclaim']))).toEqual(['specs/b/untagged.mms']);
    });

    test('a filter that selects nothing is bad input (a typo in CI must not pass)', () => {
      const r = cli(['run', '--tag', 'reclaimm']);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toBe('mmspec: no spec matches --tag reclaimm (of 3 specs)');
      expect(cli(['run', '--grep', 'Reclaim', '--tag', 'fault'])).toMatchObject({
        code: 2, err: 'mmspec: no spec matches --tag fault, --grep "Reclaim" (of 3 specs)',
      });
    });

    test('a selected spec with bad input still reports it', () => {
      put('specs/c/bad.mms', 'spec "Broken"\ntags seed\nBAD\n');
      const r = cli(['run', '--tag', 'seed']);
      expect(r.code).toBe(2);
      expect(ran(r)).toEqual(['specs/a/reclaim.mms', 'specs/c/bad.mms']);
      expect(r.err).toContain('specs/c/bad.mms:3:1: error: unknown process "BAD"');
    });
  });

  describe('run --reporter', () => {
    beforeEach(() => {
      put('specs/a/ok.mms', 'spec "Passes"\nvm1: read\n');
      put('specs/a/fail.mms', 'spec "Fails <&> \'quoted\' \\"x\\""\n  FAIL here\n');
      put('specs/b/bad.mms', 'spec "Bad"\nBAD: read\n');
    });

    test('json: one document on stdout with every spec\'s status, failures, diagnostics and times', () => {
      const r = cli(['run', '--reporter', 'json']);
      expect(r.code).toBe(2);
      const doc = JSON.parse(r.out) as {
        tool: string; version: string;
        summary: Record<string, number>;
        specs: { file: string; title: string; status: string; ms: number; failures: unknown[]; diagnostics: unknown[]; golden?: { file: string; outcome: string } }[];
      };
      expect(doc.tool).toBe('mmspec');
      expect(doc.version).toBe(pkg.version);
      expect(doc.summary).toMatchObject({ total: 3, passed: 1, failed: 1, badInput: 1, orphanGoldens: 0 });
      expect(doc.specs.map((x) => [x.file, x.status])).toEqual([
        ['specs/a/fail.mms', 'failed'], ['specs/a/ok.mms', 'passed'], ['specs/b/bad.mms', 'bad-input'],
      ]);
      const [fail, ok, bad] = doc.specs;
      expect(fail!.title).toBe('Fails <&> \'quoted\' \\"x\\"');
      expect(fail!.failures).toEqual([{ line: 2, col: 3, message: 'expected "y", found "x"', detail: 'detail line' }]);
      expect(bad!.diagnostics).toEqual([{ file: 'specs/b/bad.mms', line: 2, col: 1, message: 'unknown process "BAD"' }]);
      expect(ok!.golden).toEqual({ file: 'fixtures/a/ok.trace.yaml', outcome: 'written' });
      for (const x of doc.specs) expect(x.ms).toBeGreaterThanOrEqual(0);
      // The human report goes to stderr.
      expect(r.err).toContain('PASS  specs/a/ok.mms  Passes');
      expect(r.err).toContain('specs/b/bad.mms:2:1: error: unknown process "BAD"');
      expect(lastLine(r.err)).toBe('1 passed, 2 failed');
    });

    test('junit: well-formed JUnit XML with a testcase per spec, failure and error elements, escaped text', () => {
      put('specs/a/ctl.mms', 'spec "Control \u0001 char"\nFAIL\n');
      put('fixtures/gone.trace.yaml', 'spec: gone\n');
      const r = cli(['run', '--reporter', 'junit'], { color: true });
      expect(r.code).toBe(2);
      const xml = r.out;
      expect(xml).not.toContain('\x1b[');
      const root = parseXml(xml);
      expect(root.name).toBe('testsuites');
      expect(root.attrs).toMatchObject({ tests: '5', failures: '3', errors: '1' });
      const [suite] = root.children;
      expect(suite!.name).toBe('testsuite');
      expect(suite!.attrs).toMatchObject({ name: 'mmspec', tests: '5', failures: '3', errors: '1', skipped: '0' });
      const cases = suite!.children;
      expect(cases.map((c) => [c.name, c.attrs.classname, c.children.map((x) => x.name).join()])).toEqual([
        ['testcase', 'specs/a/ctl.mms', 'failure'],
        ['testcase', 'specs/a/fail.mms', 'failure'],
        ['testcase', 'specs/a/ok.mms', ''],
        ['testcase', 'specs/b/bad.mms', 'error'],
        ['testcase', 'fixtures/gone.trace.yaml', 'failure'],
      ]);
      expect(cases[0]!.attrs.name).toBe('Control U+0001 char');
      expect(cases[1]!.attrs.name).toBe('Fails <&> \'quoted\' \\"x\\"');
      const failure = cases[1]!.children[0]!;
      expect(failure.attrs).toMatchObject({ type: 'expectation', message: 'expected "y", found "x"' });
      expect(failure.text).toContain('specs/a/fail.mms:2:3: expected "y", found "x"');
      expect(cases[3]!.children[0]!.attrs).toMatchObject({ type: 'bad-input', message: 'unknown process "BAD"' });
      expect(cases[3]!.children[0]!.text).toBe('specs/b/bad.mms:2:1: unknown process "BAD"');
      expect(cases[4]!.children[0]!.attrs.type).toBe('orphan-golden');
      for (const c of cases) expect(Number(c.attrs.time)).toBeGreaterThanOrEqual(0);
      expect(lastLine(r.err)).toContain('1 passed');
    });

    test('the tiny XML checker refuses what is not well-formed', () => {
      expect(() => parseXml('<a><b></a></b>')).toThrow();
      expect(() => parseXml('<a x="1 & 2"/>')).toThrow();
      expect(() => parseXml('<a>\u0001</a>')).toThrow();
      expect(() => parseXml('<a/><b/>')).toThrow();
      expect(parseXml('<?xml version="1.0"?>\n<a x="&lt;&#9;">t &amp; <b/></a>')).toMatchObject({ name: 'a', attrs: { x: '<\t' }, text: 't & ' });
    });
  });
});

interface XmlElement { name: string; attrs: Record<string, string>; children: XmlElement[]; text: string }

/**
 * A small XML 1.0 well-formedness check (what a CI server's parser insists on): one root
 * element, matched tags, quoted attributes without `<` or a bare `&`, only the predefined
 * and numeric entities, no characters XML cannot hold. Throws on anything else.
 */
function parseXml(xml: string): XmlElement {
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(xml)) throw new Error('a character XML cannot hold');
  const entities: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
  const decode = (t: string): string => {
    if (/&(?!(?:lt|gt|amp|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/.test(t)) throw new Error(`a bare & in ${t}`);
    return t.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|\w+);/g, (_, e: string) =>
      e.startsWith('#x') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : entities[e]!);
  };
  let i = 0;
  const rest = xml.replace(/^<\?xml[^?]*\?>/, '');
  const stack: XmlElement[] = [];
  let top: XmlElement | undefined;
  const name = '[A-Za-z_][\\w.-]*';
  const tag = new RegExp(`^<(/?)(${name})((?:\\s+${name}\\s*=\\s*"[^"<]*")*)\\s*(/?)>`);
  while (i < rest.length) {
    if (rest[i] !== '<') {
      const j = rest.indexOf('<', i);
      const text = rest.slice(i, j < 0 ? rest.length : j);
      if (stack.length) stack.at(-1)!.text += decode(text);
      else if (text.trim()) throw new Error('text outside the root element');
      i = j < 0 ? rest.length : j;
      continue;
    }
    const m = tag.exec(rest.slice(i));
    if (!m) throw new Error(`not a tag at ${i}: ${rest.slice(i, i + 30)}`);
    i += m[0].length;
    const [, close, tagName, attrText, selfClose] = m;
    if (close) {
      if (attrText || selfClose || stack.pop()?.name !== tagName) throw new Error(`mismatched </${tagName}>`);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of attrText!.matchAll(new RegExp(`(${name})\\s*=\\s*"([^"<]*)"`, 'g'))) {
      if (a[1]! in attrs) throw new Error(`attribute ${a[1]} twice`);
      attrs[a[1]!] = decode(a[2]!);
    }
    const el: XmlElement = { name: tagName!, attrs, children: [], text: '' };
    if (stack.length) stack.at(-1)!.children.push(el);
    else if (top) throw new Error('a second root element');
    else top = el;
    if (!selfClose) stack.push(el);
  }
  if (stack.length || !top) throw new Error('unclosed element or no root');
  return top;
}

describe('mmspec check', () => {
  test('exit 2 with every located error; exit 0 when clean', () => {
    put('specs/a/bad.mms', 'spec "B"\nBAD\n  BAD again\n');
    put('specs/a/ok.mms', 'spec "O"\nFAIL\n');
    const r = cli(['check', 'specs/a/bad.mms', 'specs/a/ok.mms']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('specs/a/bad.mms:2:1: error: unknown process "BAD"');
    expect(r.err).toContain('specs/a/bad.mms:3:3: error: unknown process "BAD"\n  BAD again\n  ^^^');
    expect(cli(['check', 'specs/a/ok.mms'])).toMatchObject({ code: 0, out: '1 spec checked, no errors' });
  });
});

describe('mmspec trace', () => {
  test('prints the trace YAML of one spec on stdout', () => {
    put('specs/a/x.mms', 'spec "X"\nvm1: read\n');
    const r = cli(['trace', 'specs/a/x.mms']);
    expect(r.code).toBe(0);
    expect(r.out + '\n').toBe(serializeTrace(fakeRun('spec "X"\nvm1: read\n', 'specs/a/x.mms').trace!));
    expect(existsSync(join(root, 'fixtures'))).toBe(false);
  });

  test('bad input exits 2; a failed run prints its trace and exits 1', () => {
    put('a.mms', 'spec "B"\nBAD\n');
    put('f.mms', 'spec "F"\nFAIL\n');
    expect(cli(['trace', 'a.mms']).code).toBe(2);
    const f = cli(['trace', 'f.mms']);
    expect(f.code).toBe(1);
    expect(f.out).toContain('spec: F');
    expect(f.err).toContain('f.mms:2:1: expected "y", found "x"');
    expect(cli(['trace']).code).toBe(2);
  });
});

/** Bad files through the real interpreter (main's default deps), as the fuzzer found them. */
describe('files that are not clean text (issue 11)', () => {
  const real = (argv: string[]): Outcome => {
    const out: string[] = [];
    const err: string[] = [];
    const code = main(argv, { cwd: root, env: {}, out: (t) => { out.push(t); }, err: (t) => { err.push(t); }, colorOut: false, colorErr: false });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const putBytes = (rel: string, b: Buffer) => { writeFileSync(join(root, rel), b); };
  const spec = 'spec "Write then read"\nprocess vm1\nvm1: mmap anon heap pages 2\nvm1: write heap[0] "x"\nvm1: read heap[0] expect "x"\n';

  test('a UTF-8 BOM at the start is accepted by run, check and trace', () => {
    putBytes('bom.mms', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(spec)]));
    expect(real(['run', 'bom.mms'])).toMatchObject({ code: 0 });
    expect(real(['check', 'bom.mms'])).toMatchObject({ code: 0, err: '' });
    expect(real(['trace', 'bom.mms']).out).toMatch(/^spec: Write then read\n/);
  });

  test('a binary file is one error: file:1:1: not a text file', () => {
    putBytes('bin.mms', Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 2654435761) >>> 24)));
    const c = real(['check', 'bin.mms']);
    expect(c.code).toBe(2);
    expect(c.err).toBe('bin.mms:1:1: error: not a text file (binary content)\n1 of 1 spec with errors');
    const r = real(['run', 'bin.mms']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('FAIL  bin.mms  bin.mms  (bad input)\n\n0 passed, 1 failed');
    expect(r.err).toBe('    bin.mms:1:1: error: not a text file (binary content)');
    expect(real(['trace', 'bin.mms']).code).toBe(2);
  });

  test('invalid UTF-8 inside a string is located, not turned into U+FFFD silently', () => {
    putBytes('u.mms', Buffer.concat([Buffer.from(spec), Buffer.from('vm1: write heap[1] "ab'), Buffer.from([0xff]), Buffer.from('"\n')]));
    const c = real(['check', 'u.mms']);
    expect(c.code).toBe(2);
    expect(c.err.split('\n').slice(0, 3)).toEqual([
      'u.mms:6:23: error: invalid UTF-8 (byte 0xff): a spec is UTF-8 text',
      'vm1: write heap[1] "ab\ufffd"',
      '                      ^',
    ]);
  });

  test('a 200,000-character line is shown as a window around the error, not whole', () => {
    put('long.mms', `${spec}vm1: write heap[1] "${'a'.repeat(200_000)}" junk\n`);
    const c = real(['check', 'long.mms']);
    expect(c.code).toBe(2);
    const lines = c.err.split('\n');
    expect(lines[0]).toBe('long.mms:6:200023: error: expected "expect" or end of line, found "junk"');
    expect(lines[1]).toMatch(/^…a+" junk$/);
    expect(lines[2]!.indexOf('^')).toBe(lines[1]!.indexOf('junk'));
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(200);
  });

  test('at most a screenful of errors per file, then how many more', () => {
    put('many.mms', `${spec}${'vm1: frob heap\n'.repeat(60)}`);
    const c = real(['check', 'many.mms']);
    expect(c.code).toBe(2);
    const lines = c.err.split('\n');
    expect(lines.filter((l) => l.startsWith('many.mms:'))).toHaveLength(20);
    expect(lines.at(-2)).toBe('… and at least 6 more errors in many.mms');
    put('dups.mms', `${spec}${'tags a\n'.repeat(30)}`);
    expect(real(['check', 'dups.mms']).err.split('\n').at(-2)).toBe('… and 9 more errors in dups.mms');
  });

  test('deep nesting (20,000 unclosed blocks) is a few located errors, not a stack overflow', () => {
    put('deep.mms', `${spec}${'race {\n'.repeat(20_000)}`);
    const c = real(['check', 'deep.mms']);
    expect(c.code).toBe(2);
    expect(c.err).not.toMatch(/RangeError|internal error|^\s+at /m);
    expect(c.err.split('\n')[0]).toMatch(/^deep\.mms:6:1: error: /);
  });
});

/**
 * The real command, spawned: bin/mmspec.js builds dist/ and runs the compiled CLI with the
 * real interpreter. The tests marked (interpreter) pass once src/run/interp.ts runs specs.
 */
describe('bin/mmspec.js', () => {
  const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
  const bin = join(repo, 'bin', 'mmspec.js');
  const mmspec = (args: string[], cwd = root, env: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync(process.execPath, [bin, ...args], {
      cwd, encoding: 'utf8', env: { PATH: process.env.PATH, ...env },
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  beforeAll(() => {
    const build = spawnSync(process.execPath, [join(repo, 'scripts', 'build.mjs')], { encoding: 'utf8' });
    expect(build.status, build.stdout + build.stderr).toBe(0);
  }, 120_000);

  test('an installed copy (no scripts/ or src/ beside bin/) runs its dist/ without building; --version, --help, run', () => {
    // What `npm install -g mmspec-*.tgz` lays out (package.json "files"): bin/, dist/src/, package.json.
    const inst = join(root, 'lib', 'mmspec');
    cpSync(join(repo, 'bin'), join(inst, 'bin'), { recursive: true });
    cpSync(join(repo, 'dist', 'src'), join(inst, 'dist', 'src'), { recursive: true });
    cpSync(join(repo, 'package.json'), join(inst, 'package.json'));
    mkdirSync(join(inst, 'node_modules'));
    symlinkSync(join(repo, 'node_modules', 'yaml'), join(inst, 'node_modules', 'yaml'));
    put('work/a.mms', 'spec "A"\nprocess vm1\nvm1: mmap anon heap pages 1\nvm1: write heap[0] "x"\nvm1: read heap[0] expect "x"\n');
    const run = (args: string[]) => spawnSync(process.execPath, [join(inst, 'bin', 'mmspec.js'), ...args],
      { cwd: join(root, 'work'), encoding: 'utf8', env: { PATH: process.env.PATH } });
    const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version as string;
    expect(run(['--version'])).toMatchObject({ status: 0, stdout: `${version}\n`, stderr: '' });
    expect(run(['run', '--help']).stdout).toMatch(/^usage: mmspec run /);
    expect(run(['run', 'a.mms'])).toMatchObject({ status: 0, stdout: 'PASS  work/a.mms  A\n\n1 passed, 0 failed\n', stderr: '' });
    expect(existsSync(join(inst, 'src'))).toBe(false);
    expect(existsSync(join(inst, 'scripts'))).toBe(false);
  });

  test('prints only its own output once built, from any folder', () => {
    const r = mmspec(['--help'], join(repo, 'src'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: mmspec run/);
    expect(r.err).toBe('');
    expect(mmspec(['frobnicate']).code).toBe(2);
  });

  test('check on a syntax error exits 2 with file:line:col (interpreter)', () => {
    put('bad.mms', 'spec "Bad"\nprocess vm1\nvm1: mmap anon heap pages\n');
    const r = mmspec(['check', 'bad.mms']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^bad\.mms:3:\d+: error: /m);
    expect(r.err).not.toMatch(/^\s+at /m);
  });

  test('run: a passing spec exits 0, a failed expectation 1 (interpreter)', () => {
    put('ok.mms', 'spec "Write then read"\nprocess vm1\nvm1: mmap anon heap pages 2\n' +
      'vm1: write heap[0] "x"\nvm1: read heap[0] expect "x"\n');
    put('no.mms', 'spec "Read the wrong value"\nprocess vm1\nvm1: mmap anon heap pages 2\n' +
      'vm1: write heap[0] "x"\nvm1: read heap[0] expect "y"\n');
    const ok = mmspec(['run', 'ok.mms'], root, { CI: 'true' });
    expect(ok.out).toContain('PASS  ok.mms  Write then read');
    expect(ok.code).toBe(0);
    const no = mmspec(['run', 'ok.mms', 'no.mms'], root, { CI: 'true' });
    expect(no.code).toBe(1);
    expect(no.out).toMatch(/^ {4}no\.mms:5:\d+: /m);
    expect(no.out.trimEnd().split('\n').at(-1)).toBe('1 passed, 1 failed');
  });

  test('run: a spec with three broken expectations reports all three lines, each with what was found (interpreter)', () => {
    put('three.mms', 'spec "Three broken"\nprocess vm1\nvm1: mmap anon heap pages 2\nvm1: write heap[0] "a"\n' +
      'vm1: read heap[0] expect "b"\nexpect vm1.heap[1] pte present\nvm1: munmap heap expect EINVAL\nexpect vm1.heap[0] pte none\n');
    const r = mmspec(['run', 'three.mms'], root, { CI: 'true' });
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAIL  three.mms  Three broken\n' +
      '    three.mms:5:26: read of heap[0] returned "a", expected "b"\n' +
      '    three.mms:6:1: heap[1]: expected pte present, found none\n' +
      '    three.mms:7:1: munmap succeeded, but EINVAL was expected\n');
    expect(r.out.trimEnd().split('\n').at(-1)).toBe('0 passed, 1 failed');
  });

  test('big numbers: a limit is bad input with file:line:col, the line and a caret; a huge region runs (interpreter)', () => {
    put('big.mms', 'spec "Big"\nswap 9007199254740991 slots\nprocess vm1\nvm1: mmap anon heap pages 20000000\nvm1: read heap\n');
    const r = mmspec(['run', 'big.mms']);
    expect(r.code).toBe(2);
    expect(r.out + r.err).toContain("big.mms:2:6: error: swap of 9007199254740991 slots is beyond mmspec's limit of 2147483647 slots\n" +
      '    swap 9007199254740991 slots\n         ^^^^^^^^^^^^^^^^\n');
    expect(r.out + r.err).toContain("big.mms:5:11: error: a range of 20000000 pages is beyond mmspec's limit of 32768 pages");
    put('huge.mms', 'spec "Huge"\nprocess vm1\nvm1: mmap anon heap pages 20000000\nvm1: write heap[19999999] 1\nvm1: munmap heap\n');
    const ok = mmspec(['run', 'huge.mms']);
    expect(ok.out).toContain('PASS  huge.mms  Huge');
    expect(ok.code).toBe(0);
  });

  test('trace prints YAML of the run (interpreter)', () => {
    put('ok.mms', 'spec "Write then read"\nprocess vm1\nvm1: mmap anon heap pages 2\nvm1: write heap[0] "x"\n');
    const r = mmspec(['trace', 'ok.mms']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^spec: Write then read\nsteps:\n/);
  });
});
