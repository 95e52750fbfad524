import { describe, it, expect } from 'vitest';
import { formatDiagnostic } from './diagnostics.js';
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
    expect(out[1]).toBe(`…${'x'.repeat(78)}" extra`);
    expect(out[2]).toBe(`${' '.repeat(81)}^^^^^`);
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
});
