import { describe, expect, it } from 'vitest';
import { checkSource, runSpec } from './interp.js';

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

describe('huge sizes the fuzzer found (issue 11)', () => {
  it('swap of 2^53 - 1 slots runs, and the final state lists only the slots in use', () => {
    const run = runSpec([
      'spec "t"', 'memory 2 frames', 'swap 9007199254740991 slots', 'process vm1',
      'vm1: mmap anon heap pages 3', 'vm1: write heap[0] "a"', 'vm1: write heap[1] "b"', 'vm1: write heap[2] "c"', '',
    ].join('\n'), 't.mms');
    expect(run.diagnostics).toEqual([]);
    expect(run.failures).toEqual([]);
    expect((run.trace!.final as { swap: string[] }).swap).toEqual(['slot 0: count 1 = "a"', 'slot 1: count 1 = "b"']);
  });

  it('an empty file, a comment-only file and a CR-only file are located bad input, not a crash', () => {
    for (const src of ['', '# nothing\n', 'spec "t"\rprocess vm1\r']) {
      const run = runSpec(src, 't.mms');
      expect(run.diagnostics.length).toBeGreaterThan(0);
      expect(run.diagnostics.every((d) => d.line >= 1 && d.col >= 1)).toBe(true);
    }
  });
});
