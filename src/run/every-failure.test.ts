import { describe, expect, it } from 'vitest';
import { runSpec } from './interp.js';

/** `line:col message` of every failure of a spec "t" header plus `lines`. */
function failures(lines: string[]): string[] {
  const r = runSpec(`spec "t"\n${lines.join('\n')}\n`, 't.mms');
  expect(r.diagnostics).toEqual([]);
  return r.failures.map((f) => `${f.line}:${f.col} ${f.message}`);
}

const setup = ['process vm1', 'vm1: mmap anon heap pages 2', 'vm1: write heap[0] "a"'];

describe('every failure at once (spec-language.md §14)', () => {
  it('a spec with three broken expectations reports all three lines', () => {
    expect(failures([...setup,
      'vm1: read heap[0] expect "b"', // line 5
      'expect vm1.heap[1] pte present', // line 6
      'vm1: munmap heap expect EINVAL', // line 7: munmap still ran
      'expect vm1.heap[0] pte none', // holds: the munmap took effect
    ])).toEqual([
      '5:26 read of heap[0] returned "a", expected "b"',
      '6:1 heap[1]: expected pte present, found none',
      '7:1 munmap succeeded, but EINVAL was expected',
    ]);
  });

  it('a read goes on past a wrong page: every page is read, the first mismatch reported with the others in its detail', () => {
    const r = runSpec(`spec "t"\n${[...setup, 'vm1: write heap[1] "c"', 'vm1: read heap expect "z"', 'expect vm1.heap[1] pte present rw dirty young'].join('\n')}\n`, 't.mms');
    expect(r.failures.map((f) => [f.line, f.message, f.detail])).toEqual([
      [6, 'read of heap[0] returned "a", expected "z"', 'read of heap[1] returned "c", expected "z"'],
    ]);
  });

  it('an unexpected signal is a failure; the run goes on with the next statement', () => {
    expect(failures([...setup,
      'vm1: mprotect heap[1] r',
      'vm1: write heap[1] "x"', // line 6: SIGSEGV, not expected
      'vm1: read heap[0] expect "a"',
      'expect vm1.heap[0] pte present r', // line 8: still rw
    ])).toEqual([
      '6:1 write to heap[1] got SIGSEGV: write to a VMA without VM_WRITE',
      '8:1 heap[0]: expected pte present r, found pfn 1 rw dirty young (writable)',
    ]);
  });

  it('a passing spec has no failure', () => {
    expect(failures([...setup, 'vm1: read heap[0] expect "a"'])).toEqual([]);
  });

  it('a process the OOM killer killed fails at its first statement after the kill, once: its later ones only repeat it', () => {
    expect(failures(['memory 4 frames', 'swap 1 slots', 'process big', 'process p',
      'big: mmap anon heap pages 3', 'big: write heap[0..3] 1', 'p: mmap anon heap pages 3', 'p: write heap[0..3] 2', // kill at line 9
      'big: read heap[0]', 'big: munmap heap', 'big: write heap[1] 3', 'expect p.heap[0] holds 3'])).toEqual([
      '10:1 read of heap[0] got SIGKILL: big was killed by the OOM killer at line 9',
      '13:1 heap[0]: holds 2, expected 3',
    ]);
  });

  it('an explore reports each failed outcome and a stray violation at its line, and the run goes on after the block', () => {
    const block = ['process p1', 'process p2', 'p1: mmap anon r4 pages 5', 'p2: open mirror m5 of p1 with check=none',
      'p2: mmap m5 v6 pages 1 target p1.r4[4]', 'p1: write r4[4] "v2"',
      'explore {', '  t1 = p2: read v6[0]', '  t2 = kernel: migrate p1.r4[4]', '}']; // lines 2..11
    const msgs = failures([...block, 'expect always coherent m5', 'expect sometimes coherent m5', 'p1: read r4[4] expect "v3"'])
      .map((f) => f.replace(/ \d+\/\d+ /, ' N/M '));
    expect(msgs).toEqual([
      '8:1 violation stale-mirror in N/M interleavings, and no outcome expects it',
      '12:1 always coherent m5: fails in N/M interleavings',
      '14:23 read of r4[4] returned "v2", expected "v3"',
    ]);
  });

  it('an unexpected violation is a failure at the statement that raised it; the next statement still runs', () => {
    expect(failures(['process vm1', 'process intro', 'vm1: mmap anon heap pages 1', 'vm1: write heap[0] "x"',
      'intro: open mirror m of vm1 with fork=copy', 'intro: mmap m view pages 1 target vm1.heap[0]',
      'intro: read view[0] expect "x"', 'intro: fork ichild',
      'kernel: reclaim vm1.heap[0]', // line 10: stale-mirror, not expected
      'expect intro.view[0] pte present', // line 11: the reclaim zapped it
      'expect ichild.view[0] pte present r special'])
      .map((f) => f.replace(/^(10:1 violation stale-mirror):.*$/s, '$1: …'))).toEqual([
      '10:1 violation stale-mirror: …',
      '11:1 view[0]: expected pte present, found none',
    ]);
  });
});
