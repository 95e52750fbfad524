import { describe, expect, it } from 'vitest';
import { checkSource, runSpec } from './interp.js';
import { serializeTrace } from './golden.js';

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

describe('a process the OOM killer killed runs nothing more', () => {
  /** The first failure of running a spec "t" header plus `body`, as `line:col message`. */
  const failure = (body: string): string | undefined => {
    const r = runSpec(`spec "t"\n${body}`, 't.mms');
    expect(r.diagnostics).toEqual([]);
    const f = r.failures[0];
    return f ? `${f.line}:${f.col} ${f.message}` : undefined;
  };
  // big holds the most memory; p's third page finds none and the allocator kills big (line 9).
  const pressure = [
    'memory 4 frames', 'swap 1 slots', 'process big', 'process p',
    'big: mmap anon heap pages 3', 'big: write heap[0..3] 1',
    'p: mmap anon heap pages 3', 'p: write heap[0..3] 2',
  ];

  it('its accesses get SIGKILL, which they may expect; expectations about its regions still work', () => {
    expect(failure([...pressure, 'big: read heap[0] expect SIGKILL', 'big: write heap[1] 3 expect SIGKILL',
      'expect big.heap[0..3] pte none', 'expect p.heap[0..3] holds 2', ''].join('\n'))).toBeUndefined();
  });

  it('an access that does not expect it fails, naming the kill and its line', () => {
    expect(failure([...pressure, 'big: read heap[0]', ''].join('\n')))
      .toBe('10:1 read of heap[0] got SIGKILL: big was killed by the OOM killer at line 9');
  });

  it('any other statement of it fails the spec, naming the kill', () => {
    for (const stmt of ['big: mmap anon more pages 1', 'big: munmap heap', 'big: fork c', 'big: exit', 'big: mprotect heap r']) {
      expect(failure([...pressure, stmt, ''].join('\n')))
        .toBe('10:1 big was killed by the OOM killer at line 9 (SIGKILL): it runs no more statements');
    }
  });

  it('after kernel: oom, only an access that expects SIGKILL may follow (a static check)', () => {
    const errors = check(['process vm1', 'vm1: mmap anon heap pages 1', 'kernel: oom vm1', 'vm1: read heap[0] expect SIGKILL',
      'vm1: read heap[0]', 'vm1: exit', ''].join('\n'));
    expect(errors).toEqual([
      '6:1 process vm1 was killed by the OOM killer at line 4: it runs nothing more (a read or write of it can only expect SIGKILL)',
      '7:1 process vm1 was killed by the OOM killer at line 4: it runs nothing more (a read or write of it can only expect SIGKILL)',
    ]);
  });

  it('a thread of a race whose process was killed earlier in the block fails, naming the kill', () => {
    expect(failure(['process vm1', 'vm1: mmap anon heap pages 1', 'race {', '  t1 = kernel: oom vm1', '  t2 = vm1: munmap heap',
      '} schedule t1, t2', ''].join('\n')))
      .toBe('6:8 vm1 was killed by the OOM killer during this block (SIGKILL): it runs no more statements');
  });
});

describe('huge sizes the fuzzer found (issue 11)', () => {
  it('swap of 2^31 - 1 slots (the limit) runs, and the final state lists only the slots in use', () => {
    const run = runSpec([
      'spec "t"', 'memory 2 frames', 'swap 2147483647 slots', 'process vm1',
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

describe('goldens do not depend on layout (spec-language.md §14)', () => {
  const base = ['spec "t"', 'process vm1', 'vm1: mmap anon heap pages 2', 'vm1: write heap[0] "x"',
    'expect vm1.heap[0] holds "x"', 'vm1: read heap[0..2]', ''].join('\n');

  it('comments, blank lines and moved lines leave the trace unchanged; statements keep their numbers', () => {
    const moved = ['# a comment first', '', 'spec "t"', '', 'process vm1   # the target', '',
      'vm1: mmap anon heap pages 2', '# …', 'vm1: write heap[0] "x"', '', '', 'expect vm1.heap[0] holds "x"',
      'vm1: read heap[0..2]', ''].join('\n');
    const a = runSpec(base, 't.mms'), b = runSpec(moved, 't.mms');
    expect(serializeTrace(b.trace!)).toBe(serializeTrace(a.trace!));
    expect(a.trace!.steps.map((s) => s.at)).toEqual(['#1 process vm1', '#2 vm1: mmap anon heap pages 2', '#3 vm1: write heap[0] "x"', '#4 vm1: read heap[0..2]']);
  });

  it('an added expectation does not renumber the statements after it', () => {
    const more = base.replace('vm1: read heap[0..2]', 'expect vm1.heap[1] pte none\nvm1: read heap[0..2]');
    expect(serializeTrace(runSpec(more, 't.mms').trace!)).toBe(serializeTrace(runSpec(base, 't.mms').trace!));
  });
});

describe('explore outcomes', () => {
  it('expect trace is not one (it judges events, not a final state): a located error', () => {
    const errors = check(['process vm1', 'vm1: mmap anon heap pages 1', 'explore {', '  t1 = vm1: read heap[0]',
      '  t2 = kernel: reclaim vm1.heap[0]', '}', 'expect always trace {', '  ...', '}', ''].join('\n'));
    expect(errors).toEqual(['8:15 expect trace is not an explore outcome: it judges the events since the last expect trace, not a final state']);
  });
});
