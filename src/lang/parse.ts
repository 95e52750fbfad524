/**
 * Parsing: source text → SpecFile, with every syntax error of the file as a Diagnostic.
 *
 * The generated parser stops at the first error. To report them all, parseSpec records the
 * error, blanks out the statement that holds it (spaces, so that lines and columns of the
 * rest stay put) and parses again, until the text parses. A broken block header or an
 * unclosed block blanks the whole block, so one mistake gives one error.
 */
import type { SpecFile } from './ast.js';
import type { Diagnostic } from '../run/result.js';
import { parse, SyntaxError as PeggySyntaxError, type Expectation } from './parser.generated.js';
import { KEYWORDS } from './names.js';
import { stripBom } from './source.js';

export interface ParseResult {
  /** The tree, present only when the file has no syntax error. */
  readonly spec?: SpecFile;
  readonly diagnostics: Diagnostic[];
  /**
   * With syntax errors: the tree of what remains once the broken statements are blanked out
   * (for the static checks to report the rest of the file's errors), and the text that was
   * blanked (so that errors it causes elsewhere can be told apart).
   */
  readonly partial?: { readonly spec: SpecFile; readonly blanked: string };
}

/**
 * Recovery re-parses the file from its start once per syntax error: it stops after this many
 * errors (only a screenful, ERRORS_SHOWN, is printed anyway), or once the rounds have re-read
 * MAX_RECOVERY_CHARS characters (a long file would otherwise take minutes), with one more
 * error where it stopped. See docs/language.md, "Limits".
 */
export const MAX_SYNTAX_ERRORS = 25;
export const MAX_RECOVERY_CHARS = 4_000_000;

/** The message of the error where recovery stopped (diagnostics.ts words the cap line after it). */
export const STOPPED_MESSAGE = `more syntax errors from here on are not reported (${MAX_SYNTAX_ERRORS} found)`;

/**
 * Characters of a spec file (2 MiB, some 80,000 statements): the parser reads about half a
 * megabyte a second. A longer file is refused at the line where it passes the limit.
 */
export const MAX_SOURCE_CHARS = 2 * 1024 * 1024;

/** Parses one spec file. Never throws for bad input. */
export function parseSpec(source: string, file: string): ParseResult {
  if (source.length > MAX_SOURCE_CHARS) {
    const before = source.slice(0, MAX_SOURCE_CHARS);
    const line = countLines(before);
    const col = MAX_SOURCE_CHARS - before.lastIndexOf('\n');
    return { diagnostics: [{ file, line, col, length: 1,
      message: `the file has ${source.length} characters, beyond mmspec's limit of ${MAX_SOURCE_CHARS} characters (2 MiB): split the scenario` }] };
  }
  const diagnostics: Diagnostic[] = [];
  let text = stripBom(source);
  const maxRounds = Math.min(countLines(source) + 2, MAX_SYNTAX_ERRORS + 1);
  let reread = 0;
  for (let round = 0; round <= maxRounds; round++) {
    try {
      const spec = parse(text, { grammarSource: file });
      if (diagnostics.length === 0) return { spec, diagnostics };
      return { diagnostics, partial: { spec, blanked: blankedText(source, text) } };
    } catch (e) {
      if (!(e instanceof PeggySyntaxError)) throw e;
      if (diagnostics.length >= MAX_SYNTAX_ERRORS) {
        const at = e.location.start;
        diagnostics.push({ file, line: at.line, col: at.column, length: 1,
          message: STOPPED_MESSAGE });
        break;
      }
      const next = recover(e, text, file, diagnostics);
      if (next === text) break;
      // The failed parse read up to the error; recover() scanned and rebuilt the whole text.
      reread += e.location.start.offset + text.length;
      if (reread > MAX_RECOVERY_CHARS) {
        const last = diagnostics[diagnostics.length - 1]!;
        diagnostics.push({ ...last, message: STOPPED_MESSAGE.replace(`${MAX_SYNTAX_ERRORS} found`, `${diagnostics.length} found`) });
        break;
      }
      text = next;
    }
  }
  return { diagnostics };
}

// ---------------------------------------------------------------- recovery

/** The characters of `source` that `text` blanked out (spaces where they stood), joined. */
function blankedText(source: string, text: string): string {
  // Built in parts, with the last character kept aside: reading the end of a string built by
  // += flattens it each time, which made a 200,000-character line take half a minute.
  const parts: string[] = [];
  let last = '';
  for (let i = 0; i < source.length; i++) {
    if (text[i] === ' ' && source[i] !== ' ') { last = source[i]!; parts.push(last); }
    else if (last !== '' && last !== ' ') { last = ' '; parts.push(last); }
  }
  return parts.join('');
}

/** A line of the text: [start, end) excludes the line break. */
interface Line { readonly start: number; readonly end: number }

/** A `{ … }` block by line index: `close` is undefined when the file never closes it. */
interface Block {
  readonly open: number;
  close: number | undefined;
  /** Last line of the statement: the close, or the last `expect always|…` line of an explore. */
  last: number;
  readonly kind: 'race' | 'explore' | 'trace' | 'other';
}

/**
 * Records the diagnostic for `e` and returns `text` with the offending statement blanked.
 * Returns `text` unchanged when nothing is left to blank (the caller then stops).
 */
function recover(e: PeggySyntaxError, text: string, file: string, out: Diagnostic[]): string {
  const lines = splitLines(text);
  const blocks = scanBlocks(text, lines);
  const errLine = lineIndexAt(lines, e.location.start.offset);
  const unclosed = blocks.find((b) => b.close === undefined && b.open < errLine);
  if (unclosed !== undefined) {
    out.push(unclosedBlockDiagnostic(unclosed, text, lines, file));
    return blankLines(text, lines, unclosed.open, unclosedExtent(unclosed, text, lines));
  }
  out.push(syntaxDiagnostic(e, text, file));
  const block = blocks.find((b) => b.open <= errLine && errLine <= b.last);
  if (block === undefined) return blankLines(text, lines, errLine, errLine);
  const inBody = errLine > block.open && block.close !== undefined && errLine !== block.close;
  if (inBody) return blankLines(text, lines, errLine, errLine);
  return blankLines(text, lines, block.open, block.close === undefined ? unclosedExtent(block, text, lines) : block.last);
}

/** The message for an unclosed block, pointing at its opening line. */
function unclosedBlockDiagnostic(b: Block, text: string, lines: readonly Line[], file: string): Diagnostic {
  const line = lines[b.open]!;
  const code = text.slice(line.start, line.end);
  const indent = code.length - code.trimStart().length;
  const head = codePart(code).trim();
  return {
    file, line: b.open + 1, col: indent + 1, length: Math.max(1, head.length),
    message: `"${head}" is never closed: expected "}" at the start of a later line`,
  };
}

/**
 * How far an unclosed block reaches: a trace body runs to the end of the file; a race or
 * explore body runs over its thread lines (`NAME = …`), blank lines and comments.
 */
function unclosedExtent(b: Block, text: string, lines: readonly Line[]): number {
  if (b.kind === 'trace') return lines.length - 1;
  let last = b.open;
  for (let i = b.open + 1; i < lines.length; i++) {
    const code = codePart(lineText(text, lines[i]!)).trim();
    if (code !== '' && !/^[A-Za-z_][A-Za-z0-9_-]*\s*=/.test(code)) break;
    last = i;
  }
  return last;
}

/** Finds the `{ … }` blocks by line shape: a line whose code ends with `{` opens, one starting with `}` closes. */
function scanBlocks(text: string, lines: readonly Line[]): Block[] {
  const blocks: Block[] = [];
  let current: Block | undefined;
  for (let i = 0; i < lines.length; i++) {
    const raw = lineText(text, lines[i]!);
    const trimmed = raw.trim();
    if (current !== undefined && trimmed.startsWith('}')) {
      current.close = i;
      current.last = i;
      if (current.kind === 'explore') current.last = outcomeLinesEnd(text, lines, i);
      current = undefined;
      continue;
    }
    if (current?.kind === 'trace') continue;
    const code = codePart(raw).trim();
    if (!code.endsWith('{')) continue;
    current = { open: i, close: undefined, last: lines.length - 1, kind: blockKind(code) };
    blocks.push(current);
  }
  return blocks;
}

function blockKind(code: string): Block['kind'] {
  if (/^race\b/.test(code)) return 'race';
  if (/^explore\b/.test(code)) return 'explore';
  if (/\btrace\s*\{$/.test(code)) return 'trace';
  return 'other';
}

/** The last line of the `expect always|sometimes|never` lines that follow an explore's `}`. */
function outcomeLinesEnd(text: string, lines: readonly Line[], close: number): number {
  let last = close;
  for (let i = close + 1; i < lines.length; i++) {
    const code = codePart(lineText(text, lines[i]!)).trim();
    if (code === '') continue;
    if (!/^expect\s+(always|sometimes|never)\b/.test(code)) break;
    last = i;
  }
  return last;
}

/** The line without its trailing `#` comment (a `#` inside a string is not a comment). */
function codePart(line: string): string {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inString && c === '\\') i++;
    else if (c === '"') inString = !inString;
    else if (!inString && c === '#') return line.slice(0, i);
  }
  return line;
}

/** Replaces lines first..last (inclusive) with spaces, keeping every offset in place. */
function blankLines(text: string, lines: readonly Line[], first: number, last: number): string {
  const start = lines[first]!.start;
  const end = lines[last]!.end;
  // A carriage return without a line feed is blanked too: it is no line break here.
  return text.slice(0, start) + text.slice(start, end).replace(/\r(?!\n)|[^\r\n]/g, ' ') + text.slice(end);
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) {
      lines.push({ start, end: text.length });
      return lines;
    }
    lines.push({ start, end: nl > start && text[nl - 1] === '\r' ? nl - 1 : nl });
    start = nl + 1;
  }
}

function lineIndexAt(lines: readonly Line[], offset: number): number {
  let lo = 0;
  let hi = lines.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (lines[mid]!.start <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function lineText(text: string, line: Line): string {
  return text.slice(line.start, line.end);
}

function countLines(text: string): number {
  let n = 1;
  for (const c of text) if (c === '\n') n++;
  return n;
}

// ---------------------------------------------------------------- messages

/** Turns a peggy error into a diagnostic that says, in user words, what was expected. */
function syntaxDiagnostic(e: PeggySyntaxError, text: string, file: string): Diagnostic {
  const at = e.location.start;
  // error() in a grammar action raises with its own message and no expectations.
  const expected = e.expected as Expectation[] | null;
  if (expected === null) {
    const len = e.location.end.offset - at.offset;
    return { file, line: at.line, col: at.column, length: clampToLine(text, at.offset, len), message: e.message };
  }
  const found = foundToken(text, at.offset);
  const hinted = (prefix: string): boolean =>
    expected.some((x) => x.type === 'other' && x.description.startsWith(prefix));
  let message = `expected ${describeExpected(expected)}, found ${found.shown}`;
  if (hinted('§!a statement') && PROCESS_VERBS.includes(found.text)) {
    message = `a process statement starts with its actor, as in "vm1: ${found.text} …"; found "${found.text}"`;
  } else if (!hinted('§') && hinted('a name') && KEYWORDS.includes(found.text)) {
    message += ` ("${found.text}" is a keyword, and keywords cannot be names)`;
  }
  return { file, line: at.line, col: at.column, length: found.length, message };
}

const PROCESS_VERBS = [
  'mmap', 'open', 'close', 'read', 'write', 'munmap', 'mprotect', 'madvise', 'mremap', 'fork', 'exit',
];

/**
 * Hints (display names starting with "§", "§!" for those that outrank the others) say best
 * what may stand here; without one, the
 * plain expectations are listed, "end of file" only when nothing else was possible.
 */
function describeExpected(expected: readonly Expectation[]): string {
  const hintsOf = (prefix: string): string[] => unique(expected.flatMap((x) =>
    (x.type === 'other' && x.description.startsWith(prefix) ? [x.description.slice(prefix.length)] : [])));
  const strong = hintsOf('§!');
  if (strong.length > 0) return joinOr(strong);
  const hints = hintsOf('§');
  if (hints.length > 0) return joinOr(hints);
  let items = unique(expected.flatMap((x) => {
    switch (x.type) {
      case 'literal': return [JSON.stringify(x.text)];
      case 'other': return [x.description];
      case 'end': return ['end of file'];
      case 'any': return ['any character'];
      case 'class': return [];
    }
  }));
  if (items.length > 1) items = items.filter((x) => x !== 'end of file');
  if (items.length > 1 && items.includes('end of line')) items = [...items.filter((x) => x !== 'end of line'), 'end of line'];
  if (items.length > 8) items = [...items.slice(0, 8), '…'];
  if (items.length === 0) return 'something else';
  return joinOr(items);
}

/** The token at `offset`, for "found …": a word, a number, a string, one character or the end. */
function foundToken(text: string, offset: number): { shown: string; text: string; length: number } {
  if (offset >= text.length) return { shown: 'end of file', text: '', length: 1 };
  const c = text[offset]!;
  if (c === '\n' || (c === '\r' && text[offset + 1] === '\n')) return { shown: 'end of line', text: '', length: 1 };
  if (c === '\r') return { shown: 'a carriage return without a line feed (a line ends with \\n or \\r\\n)', text: '', length: 1 };
  const m = /(?:[A-Za-z0-9_][A-Za-z0-9_-]*|"(?:[^"\\\r\n]|\\.)*"?)/y;
  m.lastIndex = offset;
  const found = m.exec(text);
  const token = found !== null ? found[0] : String.fromCodePoint(text.codePointAt(offset)!);
  // A 100,000-character word is quoted by its start.
  const shown = token.length > 40 ? `${JSON.stringify(token.slice(0, 30)).slice(0, -1)}…"` : JSON.stringify(token);
  return { shown, text: token, length: token.length };
}

function clampToLine(text: string, offset: number, length: number): number {
  const nl = text.indexOf('\n', offset);
  const lineEnd = nl < 0 ? text.length : nl;
  return Math.max(1, Math.min(length, lineEnd - offset));
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

function joinOr(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
