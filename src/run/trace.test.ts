import { describe, expect, it } from 'vitest';
import { matchTrace } from './trace.js';

const lines = (...xs: string[]) => xs.map((text) => ({ text, wildcard: text === '...' }));

describe('matchTrace', () => {
  it('matches in order with `...` anywhere, and names the first line that cannot match', () => {
    const ev = ['a 1', 'b 2', 'c 3', 'd 4'];
    expect(matchTrace(lines('...', 'b 2', '...'), ev)).toBeUndefined();
    expect(matchTrace(lines('a 1', '...', 'd 4'), ev)).toBeUndefined();
    expect(matchTrace(lines('a 1', 'b 2'), ev)).toBe(1);
    expect(matchTrace(lines('...', 'c 3', 'b 2', '...'), ev)).toBe(2);
    expect(matchTrace(lines(), [])).toBeUndefined();
    expect(matchTrace(lines(), ev)).toBe(-1);
  });

  it('a folded line matches the run of events it stands for, or one event written that way', () => {
    const ev = ['write p a[0] = 7', 'write p a[1] = 7', 'write p a[2] = 7', 'munmap p a[0..2]'];
    expect(matchTrace(lines('write p a[0..3] = 7', 'munmap p a[0..2]'), ev)).toBeUndefined();
    expect(matchTrace(lines('write p a[0..2] = 7', 'write p a[2] = 7', '...'), ev)).toBeUndefined();
    expect(matchTrace(lines('...', 'write p a[1..3] = 7', '...'), ev)).toBeUndefined();
    expect(matchTrace(lines('write p a[0..4] = 7', '...'), ev)).toBe(0);
  });

  it('reads the run of a folded line past digits that are not a range (a mutated line of a million digits)', () => {
    const ev = ['write p a[0] = 7', 'write p a[1] = 7', 'read p a[5] = 1'];
    expect(matchTrace(lines('write p a[0..2] = 7', `read p a[${'9'.repeat(1_000_000)}] = 1`), ev)).toBe(1);
    expect(matchTrace(lines('read 1...5', 'write p a[0..2] = 7', '...'), ['read 1...5', ...ev])).toBeUndefined();
  });

  it('checks 20,000 lines with a `...` between each, and 20,000 equal lines after one, without deep recursion', () => {
    const n = 20_000;
    const ev = Array.from({ length: n }, (_, i) => `write p a[0] = ${i}`);
    const body = ev.flatMap((e) => ['...', e]);
    expect(matchTrace(lines(...body), ev)).toBeUndefined();
    const same = Array.from({ length: n }, () => 'write p a[0] = "x"');
    expect(matchTrace(lines('...', ...same), same)).toBeUndefined();
    expect(matchTrace(lines('...', ...same, 'write p a[0] = "y"'), same)).toBe(n + 1);
    expect(matchTrace(lines(...same.map(() => '...'), 'nothing'), same)).toBe(n);
  });
});
