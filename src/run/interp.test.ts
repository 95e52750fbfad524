import { describe, expect, it } from 'vitest';
import { checkSource } from './interp.js';

/** `line:col message` of every error `mmspec check` reports for a spec "t" header plus `body`. */
function check(body: string): string[] {
  return checkSource(`spec "t"\n${body}`, 't.mms').map((d) => `${d.line}:${d.col} ${d.message}`);
}

describe('errors of a file with syntax errors (checkSource)', () => {
  it('leaves out what follows from a broken declaration: its name is unknown afterwards', () => {
    const errors = check(['proces vm1', 'vm1: mmap anon heap pages 1', 'vm1: read heap[0]', ''].join('\n'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^2:8 expected ":"/);
  });

  it('still reports a duplicate whose name the broken line mentions, and errors on other names', () => {
    const errors = check([
      'process vm1',
      'process vm1',
      'vm1: mmap anon heap pages 2 rw rw',
      'process vm2',
      'vm2: read nowhere[0]',
      '',
    ].join('\n'));
    expect(errors.map((e) => e.split(' ')[0])).toEqual(['3:9', '4:32', '6:11']);
    expect(errors[0]).toContain('duplicate process "vm1"');
    expect(errors[2]).toMatch(/nowhere/);
  });
});
