/**
 * Rendering of diagnostics, in the one shape every tool uses:
 *
 *   specs/seed/reclaim.mms:12:22: error: unknown region "heep" of process vm1
 *   vm1: write heep[0] "x"
 *              ^^^^
 */
import type { Diagnostic } from '../run/result.js';
import type { Loc } from './ast.js';

const RED = '\x1b[31m';
const BOLD = '\x1b[1m';
const GREEN = '\x1b[32m';
const RESET = '\x1b[0m';
/** Lines longer than this are shown as CONTEXT characters either side of the column. */
const LONG_LINE = 240;
const CONTEXT = 80;

/**
 * `file:line:col: error: message`, then the source line and a caret run under the offending
 * text. The run is clamped to the line; a location past the end of the text shows no line.
 */
export function formatDiagnostic(d: Diagnostic, source: string, color: boolean): string {
  const paint = (code: string, s: string): string => (color ? `${code}${s}${RESET}` : s);
  const head = `${paint(BOLD, `${d.file}:${d.line}:${d.col}:`)} ${paint(BOLD + RED, 'error:')} ${paint(BOLD, d.message)}`;
  const line = sourceLine(source, d.line);
  if (line === undefined) return head;
  let shown = line.replace(/\t/g, ' ');
  let col = Math.min(Math.max(d.col, 1), shown.length + 1);
  // A very long line (a string of thousands of characters) is shown around the column.
  if (shown.length > LONG_LINE) {
    const from = Math.max(0, col - 1 - CONTEXT);
    const to = Math.min(shown.length, col - 1 + CONTEXT);
    shown = `${from > 0 ? '…' : ''}${shown.slice(from, to)}${to < shown.length ? '…' : ''}`;
    col = col - from + (from > 0 ? 1 : 0);
  }
  const width = Math.max(1, Math.min(d.length, shown.length - col + 1));
  const caret = `${' '.repeat(col - 1)}${paint(GREEN, '^'.repeat(width))}`;
  return `${head}\n${shown}\n${caret}`;
}

/** A diagnostic at a node's location, its caret run clamped to at least one character. */
export function diagnosticAt(file: string, loc: Loc, message: string): Diagnostic {
  return { file, line: loc.line, col: loc.col, length: Math.max(1, loc.length), message };
}

/** Orders diagnostics by position, for reporting (passes find them in their own order). */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => a.line - b.line || a.col - b.col);
}

// The lines of the source last shown: a file's diagnostics are formatted one after another,
// and splitting the file for each made tens of thousands of errors take minutes.
let shownSource: string | undefined;
let shownLines: string[] = [];

function sourceLine(source: string, line: number): string | undefined {
  if (source !== shownSource) {
    shownSource = source;
    shownLines = source.split('\n');
  }
  const lines = shownLines;
  const text = lines[line - 1];
  return text === undefined ? undefined : text.replace(/\r$/, '');
}
