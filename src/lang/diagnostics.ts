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

/**
 * `file:line:col: error: message`, then the source line and a caret run under the offending
 * text. The run is clamped to the line; a location past the end of the text shows no line,
 * nor does a diagnostic about the whole file. A line longer than a terminal is shown as a
 * window around the column, its cut ends marked with …; control characters show as their
 * Unicode pictures (␀, ␛…), so that a stray byte cannot drive the terminal.
 */
export function formatDiagnostic(d: Diagnostic, source: string, color: boolean): string {
  const paint = (code: string, s: string): string => (color ? `${code}${s}${RESET}` : s);
  const head = `${paint(BOLD, `${d.file}:${d.line}:${d.col}:`)} ${paint(BOLD + RED, 'error:')} ${paint(BOLD, displayMessage(d.message))}`;
  const line = d.whole ? undefined : sourceLine(source, d.line);
  if (line === undefined) return head;
  const shown = visible(line.replace(/\t/g, ' '));
  let col = Math.min(Math.max(d.col, 1), shown.length + 1);
  let width = Math.max(1, Math.min(d.length, shown.length - col + 1));
  let text = shown;
  if (shown.length > SHOWN_LINE) {
    // A window of SHOWN_LINE characters, the column a third of the way in.
    const start = Math.max(0, Math.min(col - 1 - Math.floor(SHOWN_LINE / 3), shown.length - SHOWN_LINE));
    const end = Math.min(shown.length, start + SHOWN_LINE);
    text = `${start > 0 ? '…' : ''}${shown.slice(start, end)}${end < shown.length ? '…' : ''}`;
    col = col - start + (start > 0 ? 1 : 0);
    width = Math.max(1, Math.min(width, end - start - (col - 1 - (start > 0 ? 1 : 0))));
  }
  const caret = `${' '.repeat(col - 1)}${paint(GREEN, '^'.repeat(width))}`;
  return `${head}\n${text}\n${caret}`;
}

/** How many characters of a source line a diagnostic shows (a longer line is windowed). */
export const SHOWN_LINE = 120;

/** At most this many diagnostics of one file are printed; then "… and N more errors". */
export const ERRORS_SHOWN = 20;

/**
 * A file's diagnostics (in order), at most ERRORS_SHOWN of them, then a line saying how
 * many more there are: a screenful, whatever the file.
 */
export function formatDiagnosticList(diags: readonly Diagnostic[], source: string, color: boolean): string {
  const shown = diags.slice(0, ERRORS_SHOWN).map((d) => formatDiagnostic(d, source, color));
  const more = diags.length - ERRORS_SHOWN;
  // The parser stops looking after MAX_SYNTAX_ERRORS (parse.ts): then the count is a floor.
  const stopped = diags.some((d) => d.message.startsWith('more syntax errors from here on are not reported'));
  if (more > 0) shown.push(`… and ${stopped ? 'at least ' : ''}${more} more error${more === 1 && !stopped ? '' : 's'} in ${diags[0]!.file}`);
  return shown.join('\n');
}

/**
 * Text of the user's file as a terminal may show it: C0 controls, DEL and C1 controls as
 * their pictures (U+2400…, ␡, or ¿ for C1), bidirectional overrides as ⍰ (they would reorder
 * the line on screen).
 */
export function visible(text: string): string {
  return text.replace(/[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const n = c.charCodeAt(0);
    if (n < 0x20) return String.fromCharCode(0x2400 + n);
    if (n === 0x7f) return '\u2421';
    if (n <= 0x9f) return '\u00bf';
    return '\u2370';
  });
}

/**
 * A message as printed: visible characters only, and any run of more than 60 non-space
 * characters (a 100,000-character word quoted back) cut to its ends around an ellipsis.
 */
export function displayMessage(message: string): string {
  return visible(message).replace(/[^\s]{61,}/g, (w) => `${w.slice(0, 40)}…${w.slice(-12)}`);
}

/** A line of a report that quotes the user's text: displayMessage, then at most `max` characters. */
export function displayLine(line: string, max = 300): string {
  const v = displayMessage(line);
  return v.length > max ? `${v.slice(0, max - 1)}…` : v;
}

/** A title or name for one report line: visible characters, at most `max` of them. */
export function displayTitle(title: string, max = 120): string {
  const v = visible(title);
  return v.length > max ? `${v.slice(0, max - 1)}…` : v;
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
