import { describe, it, expect } from 'vitest';
import { ERRORS_SHOWN, formatDiagnostic, formatDiagnosticList, SHOWN_LINE } from './diagnostics.js';
import { parseSpec } from './parse.js';
import { checkSpec } from './check.js';

describe('formatDiagnostic', () => {
  const source = 'spec "t"\nprocess vm1\nvm1: write heep[0] "x"\n';
  const d = { file: 'specs/a.mms', line: 3, col: 12, length: 4, message: 'unknown region "heep" of process vm1' };

  it('prints file:line:col, the line and a caret run', () => {
    expect(formatDiagnostic(d, source, false)).toBe(
      'specs/a.mms:3:12: error: unknown region "heep" of process vm1\n' +
      'vm1: write heep[0] "x"\n' +
      '           ^^^^',
    );
  });

  it('colours only when asked', () => {
    const plain = formatDiagnostic(d, source, false);
    const coloured = formatDiagnostic(d, source, true);
    expect(plain).not.toContain('\x1b[');
    expect(coloured).toContain('\x1b[31m');
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, '')).toBe(plain);
  });

  it('clamps the caret run to the line and survives a line past the end', () => {
    expect(formatDiagnostic({ ...d, col: 20, length: 50 }, source, false).split('\n')[2]).toBe(`${' '.repeat(19)}^^^`);
    expect(formatDiagnostic({ ...d, line: 99 }, source, false)).toBe('specs/a.mms:99:12: error: unknown region "heep" of process vm1');
  });

  it('shows a very long line around the column, the caret under the place', () => {
    const long = `vm1: write heap[0] "${'x'.repeat(5000)}" extra`;
    const col = long.indexOf(' extra') + 2;
    const out = formatDiagnostic({ file: 'a.mms', line: 1, col, length: 5, message: 'expected end of line' }, long, false).split('\n');
    // A window of SHOWN_LINE characters (the line's end here), marked with … where it is cut.
    expect(out[1]).toBe(`…${'x'.repeat(113)}" extra`);
    expect(out[1]![out[2]!.indexOf('^')]).toBe('e');
  });

  it('formats what parse and check find, without a stack trace', () => {
    const src = 'spec "t"\nprocess vm1\nvm1: mmap anon heap pages 2 rwz\nvm1: read heap[7]\n';
    const r = parseSpec(src, 'x.mms');
    const out = checkSpec(r.spec!, 'x.mms').map((x) => formatDiagnostic(x, src, false)).join('\n');
    expect(out).toBe([
      'x.mms:3:29: error: expected a protection (none, r, rw, rx, rwx), found "rwz"',
      'vm1: mmap anon heap pages 2 rwz',
      '                            ^^^',
      'x.mms:4:16: error: page 7 is out of range: region heap has 2 pages (0..1)',
      'vm1: read heap[7]',
      '               ^',
    ].join('\n'));
  });

  it('shows a window of a 200,000-character line around the column, cut ends marked with …', () => {
    const line = `vm1: write heap[0] "${'a'.repeat(100_000)}" junk ${'b'.repeat(100_000)}`;
    const col = line.indexOf('junk') + 1;
    const out = formatDiagnostic({ file: 'x.mms', line: 1, col, length: 4, message: 'expected end of line, found "junk"' }, line, false);
    const [head, shown, caret] = out.split('\n');
    expect(head).toBe(`x.mms:1:${col}: error: expected end of line, found "junk"`);
    expect(shown!.length).toBe(SHOWN_LINE + 2);
    expect(shown!.startsWith('…a')).toBe(true);
    expect(shown!.endsWith('b…')).toBe(true);
    expect(shown!.slice(caret!.indexOf('^'), caret!.indexOf('^') + 4)).toBe('junk');
    expect(caret).toMatch(/^ +\^{4}$/);
  });

  it('a window at the start or the end of a long line is cut on one side only', () => {
    const line = 'x'.repeat(1000);
    const [, start, c1] = formatDiagnostic({ file: 'x.mms', line: 1, col: 1, length: 1, message: 'm' }, line, false).split('\n');
    expect(start).toBe(`${'x'.repeat(SHOWN_LINE)}…`);
    expect(c1).toBe('^');
    const [, end, c2] = formatDiagnostic({ file: 'x.mms', line: 1, col: 1001, length: 1, message: 'm' }, line, false).split('\n');
    expect(end).toBe(`…${'x'.repeat(SHOWN_LINE)}`);
    expect(c2).toBe(`${' '.repeat(SHOWN_LINE + 1)}^`);
  });

  it('shows control characters as their pictures, so that a stray ESC cannot drive the terminal', () => {
    const out = formatDiagnostic({ file: 'x.mms', line: 1, col: 5, length: 1, message: 'found "\x1b"' }, 'abc \x1b[2J\r\x00z', false);
    expect(out).toBe('x.mms:1:5: error: found "␛"\nabc ␛[2J␍␀z\n    ^');
  });

  it('cuts a 100,000-character word quoted in a message to its ends', () => {
    const out = formatDiagnostic({ file: 'x.mms', line: 9, col: 1, length: 1, message: `unknown region "${'r'.repeat(100_000)}"` }, '', false);
    expect(out.length).toBeLessThan(120);
    expect(out).toContain('…');
  });

  it('prints at most ERRORS_SHOWN errors of a file, then how many more', () => {
    const src = 'x\n'.repeat(50);
    const ds = Array.from({ length: 50 }, (_, i) => ({ file: 'x.mms', line: i + 1, col: 1, length: 1, message: `e${i}` }));
    const out = formatDiagnosticList(ds, src, false).split('\n');
    expect(out.filter((l) => l.startsWith('x.mms:'))).toHaveLength(ERRORS_SHOWN);
    expect(out.at(-1)).toBe(`… and ${50 - ERRORS_SHOWN} more errors in x.mms`);
    expect(formatDiagnosticList(ds.slice(0, ERRORS_SHOWN + 1), src, false).split('\n').at(-1)).toBe('… and 1 more error in x.mms');
    expect(formatDiagnosticList(ds.slice(0, 3), src, false).split('\n')).toHaveLength(9);
  });

  it('a diagnostic about the whole file shows no line', () => {
    expect(formatDiagnostic({ file: 'x.mms', line: 1, col: 1, length: 1, message: 'not a text file (binary content)', whole: true }, 'abc', false))
      .toBe('x.mms:1:1: error: not a text file (binary content)');
  });
});
