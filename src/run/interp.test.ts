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

describe('a statement that hangs in the kernel (runSpec)', () => {
  // v2 mirrors v1, another view of the same device in the same mm: fork's write-protect of
  // heap calls v1's callback, whose zap of v1 calls v2's — the same update lock (AA).
  const hung = ['process intro', 'intro: open mirror m of intro', 'intro: mmap anon heap pages 1', 'intro: write heap[0] 1',
    'intro: mmap m v1 pages 1 target intro.heap[0]', 'intro: mmap m v2 pages 1 target intro.v1[0]', 'intro: fork child',
    'expect violation deadlock'];

  it('raises the deadlock violation, and the run goes on', () => {
    const r = runSpec(['spec "t"', ...hung, 'kernel: compact', ''].join('\n'), 't.mms');
    expect(r.failures).toEqual([]);
    expect(r.trace!.steps.find((s) => s.at.includes('fork child'))!.events.at(-1)).toMatch(/^VIOLATION deadlock: intro: fork child waits for m update lock/);
  });

  it('its process, and the child its fork never created, can run nothing more', () => {
    const r1 = runSpec(['spec "t"', ...hung, 'intro: read heap[0]', ''].join('\n'), 't.mms');
    expect(r1.failures.map((f) => `${f.line} ${f.message}`)).toEqual(['10 process intro hangs in the kernel since line 8 (deadlock): it can run nothing more']);
    const r2 = runSpec(['spec "t"', ...hung, 'child: read heap[0]', ''].join('\n'), 't.mms');
    expect(r2.failures.map((f) => f.message)).toEqual(['process child does not exist: the fork that creates it hangs in the kernel (deadlock)']);
  });
});
