import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { main, type CliDeps } from './cli.js';
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

  test('bad input: exit 2 with located diagnostics, even among passing and failing specs', () => {
    put('specs/a/bad.mms', 'spec "B"\nBAD: read\n');
    put('specs/a/f.mms', 'spec "F"\nFAIL\n');
    put('specs/a/ok.mms', 'spec "O"\n');
    const r = cli(['run']);
    expect(r.code).toBe(2);
    expect(r.out).toContain('FAIL  specs/a/bad.mms  B  (bad input)\n' +
      '    specs/a/bad.mms:2:1: error: unknown process "BAD"\n    BAD: read\n    ^^^');
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
    expect(r.out).toBe('FAIL  bin.mms  bin.mms  (bad input)\n    bin.mms:1:1: error: not a text file (binary content)\n\n0 passed, 1 failed');
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
