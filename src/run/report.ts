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
import { goldenProblem } from './golden.js';
import type { Diagnostic, Failure } from './result.js';
import type { SpecResult } from './suite.js';

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
 * failed expectations, the golden diff, or the internal error.
 */
export function formatResult(r: SpecResult, color: boolean, debug: boolean): string {
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
    body.push(formatDiagnostics(r.run.diagnostics, r.run.source, color));
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
