/**
 * Human-readable reports of spec results, for the CLI (coloured on a terminal) and the
 * vitest runtime (plain). ANSI colour codes live here and nowhere else.
 *
 *   PASS  specs/seed/reclaim.mms  Reclaim of a mirrored page zaps the mirror PTE
 *   FAIL  specs/seed/race.mms  A racing fault sees the old page
 *       specs/seed/race.mms:14:1: expected view[0] holds "new", found "old"
 *   …
 *   3 passed, 1 failed
 */
import { displayLine, displayTitle, formatDiagnosticList } from '../lang/diagnostics.js';
import { goldenProblem, specForGolden } from './golden.js';
import type { Diagnostic, Failure } from './result.js';
import type { SpecResult, SpecStatus } from './suite.js';

export interface Palette {
  readonly red: (s: string) => string;
  readonly green: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly cyan: (s: string) => string;
  readonly bold: (s: string) => string;
  readonly dim: (s: string) => string;
}

function sgr(open: number, close: number): (s: string) => string {
  return (s) => `\x1b[${open}m${s}\x1b[${close}m`;
}

const ansi: Palette = {
  red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), cyan: sgr(36, 39),
  bold: sgr(1, 22), dim: sgr(2, 22),
};
const plain: Palette = {
  red: (s) => s, green: (s) => s, yellow: (s) => s, cyan: (s) => s, bold: (s) => s, dim: (s) => s,
};

export function palette(color: boolean): Palette {
  return color ? ansi : plain;
}

/**
 * Whether to colour output to stream: never with NO_COLOR set (non-empty) or FORCE_COLOR
 * 0 / false, always with FORCE_COLOR set otherwise, else only on a terminal.
 */
export function useColor(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false') return false;
  if (env.FORCE_COLOR !== undefined) return true;
  return stream.isTTY === true;
}

/**
 * The diagnostics of a file, each located with its line and a caret: a screenful at most
 * (ERRORS_SHOWN, then "… and N more errors in FILE").
 */
export function formatDiagnostics(diags: readonly Diagnostic[], source: string, color: boolean): string {
  return formatDiagnosticList(diags, source, color);
}

/** `file:line:col: message`, then the detail lines indented. */
export function formatFailure(file: string, f: Failure, color: boolean): string {
  const p = palette(color);
  const head = `${p.bold(`${file}:${f.line}:${f.col}:`)} ${p.red(displayLine(f.message))}`;
  // A failure quotes the spec's text and values: a 100,000-character line is cut to a screen's width.
  return f.detail ? `${head}\n${indent(f.detail.split('\n').map((l) => displayLine(l)).join('\n'), 2)}` : head;
}

/** A unified diff (golden.ts's diffLines) with removed lines red and added lines green. */
export function formatDiff(diff: string, color: boolean): string {
  const p = palette(color);
  return diff.split('\n').map((line) => {
    if (line.startsWith('---') || line.startsWith('+++')) return p.bold(line);
    if (line.startsWith('@@')) return p.cyan(line);
    if (line.startsWith('-')) return p.red(line);
    if (line.startsWith('+')) return p.green(line);
    return line;
  }).join('\n');
}

/** `internal error: message`, with the stack only when debugging (MMSPEC_DEBUG=1). */
export function formatInternalError(err: unknown, debug: boolean): string {
  const message = err instanceof Error ? err.message : String(err);
  const stack = debug && err instanceof Error && err.stack ? `\n${err.stack}` : '';
  return `internal error: ${message}${stack}`;
}

/**
 * The report of one spec: a PASS/FAIL line, then, indented, what failed: diagnostics,
 * failed expectations, the golden diff, or the internal error. Without withDiagnostics the
 * diagnostics of bad input are left out (the CLI prints them on stderr, as check and trace do).
 */
export function formatResult(r: SpecResult, color: boolean, debug: boolean, withDiagnostics = true): string {
  const p = palette(color);
  const passed = r.status === 'passed';
  const status = passed ? p.green(p.bold('PASS')) : p.red(p.bold('FAIL'));
  let head = `${status}  ${r.file}  ${p.dim(displayTitle(r.title))}`;
  if (r.status === 'bad-input') head += `  ${p.red('(bad input)')}`;
  if (r.golden?.kind === 'written') head += `  ${p.yellow(`(golden written: ${r.golden.ref.shown})`)}`;
  if (r.golden?.kind === 'updated') head += `  ${p.yellow(`(golden updated: ${r.golden.ref.shown})`)}`;
  const body: string[] = [];
  if (r.internalError !== undefined) {
    body.push(p.red(`${r.file}: ${formatInternalError(r.internalError, debug)}`));
  } else if (r.run && r.status === 'bad-input') {
    if (withDiagnostics) body.push(formatDiagnostics(r.run.diagnostics, r.run.source, color));
  } else if (r.run) {
    for (const f of r.run.failures) body.push(formatFailure(r.file, f, color));
  }
  if (r.golden) {
    const problem = goldenProblem(r.golden);
    if (problem) body.push(p.red(problem));
    if (r.golden.kind === 'changed' || r.golden.kind === 'updated') body.push(formatDiff(r.golden.diff, color));
  }
  return body.length ? `${head}\n${indent(body.join('\n'), 4)}` : head;
}

/** A golden whose spec does not exist: a failure of the suite. */
export function formatOrphan(golden: string, spec: string, color: boolean): string {
  const p = palette(color);
  return `${p.red(p.bold('FAIL'))}  ${golden}  ` +
    p.red(`orphan golden: there is no ${spec} (delete it, or run --update to delete it)`);
}

/** The last line of a run: `N passed, N failed`. */
export function formatSummary(passed: number, failed: number, color: boolean): string {
  const p = palette(color);
  const f = `${failed} failed`;
  return `${p.green(`${passed} passed`)}, ${failed > 0 ? p.red(f) : f}`;
}

export function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return text.split('\n').map((l) => (l ? pad + l : l)).join('\n');
}

// ---------------------------------------------------------------------------------------
// Machine-readable reports (`mmspec run --reporter json|junit`): no colour, every detail.

/** One spec as the machine reporters see it: the verdict and how long judging it took. */
export interface TimedResult {
  readonly result: SpecResult;
  /** Milliseconds spent running and judging the spec. */
  readonly ms: number;
}

/** A whole run for the machine reporters. */
export interface RunReport {
  readonly version: string;
  readonly specs: readonly TimedResult[];
  /** Goldens without a spec (shown paths): failures of the suite. */
  readonly orphans: readonly string[];
  readonly ms: number;
}

function failureJson(f: Failure): Record<string, unknown> {
  return { line: f.line, col: f.col, message: f.message, ...(f.detail !== undefined ? { detail: f.detail } : {}) };
}

function diagnosticJson(d: Diagnostic): Record<string, unknown> {
  return { file: d.file, line: d.line, col: d.col, message: d.message };
}

function internalMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * `--reporter json`: one document. `specs[]` has each spec's status (passed, failed,
 * bad-input), file, title, details (failures with line/col/message,
 * diagnostics, the golden outcome with its diff, an internal error) and its time in ms.
 */
export function formatJsonReport(r: RunReport): string {
  const specs = r.specs.map(({ result: s, ms }) => ({
    file: s.file,
    title: s.title,
    status: s.status,
    ms: Math.round(ms * 1000) / 1000,
    failures: (s.run?.failures ?? []).map(failureJson),
    diagnostics: (s.run?.diagnostics ?? []).map(diagnosticJson),
    ...(s.golden ? {
      golden: {
        file: s.golden.ref.shown, outcome: s.golden.kind,
        ...(goldenProblem(s.golden) ? { problem: goldenProblem(s.golden) } : {}),
        ...('diff' in s.golden ? { diff: s.golden.diff } : {}),
      },
    } : {}),
    ...(s.internalError !== undefined ? { internalError: internalMessage(s.internalError) } : {}),
  }));
  const count = (st: SpecStatus) => r.specs.filter((s) => s.result.status === st).length;
  return JSON.stringify({
    tool: 'mmspec', version: r.version,
    summary: {
      total: r.specs.length, passed: count('passed'), failed: count('failed'), badInput: count('bad-input'),
      orphanGoldens: r.orphans.length, ms: Math.round(r.ms * 1000) / 1000,
    },
    specs,
    orphanGoldens: r.orphans.map((g) => ({ file: g })),
  }, null, 2);
}

/**
 * Text as XML character data or attribute value: the five special characters escaped, and
 * characters XML 1.0 cannot hold at all (control characters other than tab, newline and
 * carriage return; lone surrogates; U+FFFE/U+FFFF) written as U+XXXX.
 */
export function xmlEscape(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
      (c) => `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`)
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** An attribute value on one line (CI servers show `message` as a heading). */
function attr(text: string): string {
  return xmlEscape(text.replace(/\r?\n/g, ' ')).replace(/\t/g, '&#9;');
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

/**
 * `--reporter junit`: JUnit XML as CI servers (Jenkins, GitLab, GitHub actions) read it:
 * `<testsuites>` with one `<testsuite name="mmspec">`, one `<testcase>` per spec (classname:
 * the spec's file, name: its title). A failed expectation or golden is a `<failure>`; bad
 * input and an internal error are an `<error>`; an orphan golden is a failed testcase of its own.
 */
export function formatJunitReport(r: RunReport): string {
  const cases: string[] = [];
  let failures = 0, errors = 0;
  for (const { result: s, ms } of r.specs) {
    const head = `    <testcase classname="${attr(s.file)}" name="${attr(s.title)}" file="${attr(s.file)}" time="${seconds(ms)}"`;
    const inner: string[] = [];
    if (s.internalError !== undefined) {
      const m = internalMessage(s.internalError);
      inner.push(`      <error type="internal" message="${attr(`internal error: ${m}`)}">${xmlEscape(`${s.file}: internal error: ${m}`)}</error>`);
      errors++;
    } else if (s.status === 'bad-input' && s.run) {
      const text = s.run.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.message}`).join('\n');
      inner.push(`      <error type="bad-input" message="${attr(s.run.diagnostics[0]?.message ?? 'bad input')}">${xmlEscape(text)}</error>`);
      errors++;
    } else if (s.status === 'failed') {
      const lines = (s.run?.failures ?? []).map((f) => formatFailure(s.file, f, false));
      let message = s.run?.failures[0]?.message ?? '';
      if (s.golden && goldenProblem(s.golden)) {
        const problem = goldenProblem(s.golden)!;
        lines.push(problem);
        if ('diff' in s.golden) lines.push(s.golden.diff);
        message ||= problem;
      }
      inner.push(`      <failure type="${s.golden && goldenProblem(s.golden) ? 'golden' : 'expectation'}" message="${attr(message || 'failed')}">${xmlEscape(lines.join('\n'))}</failure>`);
      failures++;
    }
    cases.push(inner.length ? `${head}>\n${inner.join('\n')}\n    </testcase>` : `${head}/>`);
  }
  for (const g of r.orphans) {
    const message = `orphan golden: there is no ${specForGolden(g)}`;
    cases.push(`    <testcase classname="${attr(g)}" name="${attr(g)}" file="${attr(g)}" time="0.000">\n` +
      `      <failure type="orphan-golden" message="${attr(message)}">${xmlEscape(`${message} (delete it, or run --update to delete it)`)}</failure>\n    </testcase>`);
    failures++;
  }
  const tests = r.specs.length + r.orphans.length;
  const counts = `tests="${tests}" failures="${failures}" errors="${errors}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="mmspec" ${counts} time="${seconds(r.ms)}">`,
    `  <testsuite name="mmspec" ${counts} skipped="0" time="${seconds(r.ms)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
  ].join('\n');
}
