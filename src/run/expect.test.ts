import { describe, expect, it } from 'vitest';
import { runSpec } from './interp.js';

/** `line:col message` of every failed expectation of a spec "t" header plus `body`. */
function failures(body: string): string[] {
  const r = runSpec(`spec "t"\n${body}`, 't.mms');
  expect(r.diagnostics).toEqual([]);
  return r.failures.map((f) => `${f.line}:${f.col} ${f.message}`);
}

describe('failed PTE expectations say what was expected and what was found', () => {
  const setup = [
    'process vm1',
    'process vm2',
    'vm1: mmap anon heap pages 2',
    'vm1: write heap[0] "x"',
    'vm2: mmap anon h pages 1',
    'vm2: write h[0] "x"',
  ];

  it('maps: names the other PTE, as the spec did, and what it maps', () => {
    expect(failures([...setup, 'expect vm1.heap[0] pte present rw maps vm2.h[0]', ''].join('\n'))).toEqual([
      '8:1 heap[0]: expected pte present rw maps vm2.h[0], found pfn 1 rw dirty young (vm2.h[0] maps pfn 2 rw dirty young)',
    ]);
  });

  it('attributes: lists each one that is missing', () => {
    expect(failures([...setup, 'expect vm1.heap[0] pte present r special', ''].join('\n'))).toEqual([
      '8:1 heap[0]: expected pte present r special, found pfn 1 rw dirty young (writable, not special)',
    ]);
    expect(failures([...setup, 'expect vm1.heap[1] pte swap', ''].join('\n'))).toEqual(['8:1 heap[1]: expected pte swap, found none']);
  });
});

describe('negated PTE attributes (!ATTR, v1.1)', () => {
  const setup = ['process vm1', 'vm1: mmap anon heap pages 1', 'vm1: write heap[0] "x"'];

  it('hold when the PTE lacks the attribute, and name the one it has when not', () => {
    expect(failures([...setup, 'expect vm1.heap[0] pte present !special !zero !huge', ''].join('\n'))).toEqual([]);
    expect(failures([...setup, 'expect vm1.heap[0] pte present !rw !dirty', ''].join('\n'))).toEqual([
      '5:1 heap[0]: expected pte present !rw !dirty, found pfn 1 rw dirty young (writable, dirty)',
    ]);
  });

  it('an attribute and its negation together are bad input', () => {
    const r = runSpec(['spec "t"', ...setup, 'expect vm1.heap[0] pte present dirty !dirty', ''].join('\n'), 't.mms');
    expect(r.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual(['5:38 "!dirty" contradicts "dirty"']);
  });
});

describe('expect no event (v1.1)', () => {
  const setup = ['process vm1', 'vm1: mmap anon heap pages 1'];

  it('fails with the first event of the previous non-expect statement that contains the text', () => {
    expect(failures([...setup, 'vm1: write heap[0] "x"', 'expect vm1.heap[0] holds "x"', 'expect no event "alloc pfn"', ''].join('\n'))).toEqual([
      '6:1 expected no event containing "alloc pfn", found: alloc pfn 1 anon',
    ]);
    expect(failures([...setup, 'vm1: write heap[0] "x"', 'vm1: write heap[0] "y"', 'expect no event "fault"', ''].join('\n'))).toEqual([]);
  });

  it('is not an explore outcome', () => {
    const r = runSpec(['spec "t"', ...setup, 'explore {', '  t1 = vm1: read heap[0]', '}', 'expect never no event "x"', ''].join('\n'), 't.mms');
    expect(r.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual([
      "7:1 expect no event is not an explore outcome (it judges the previous statement's events, not a final state)",
    ]);
  });
});

describe('expect violation with several kinds, and twice after one statement (v1.1, issue 14)', () => {
  const setup = ['process vm1', 'process intro', 'vm1: mmap anon heap pages 1', 'vm1: write heap[0] "x"',
    'intro: open mirror m of vm1 with vma=anon', 'intro: mmap m view pages 1 target vm1.heap[0]', 'intro: read view[0] expect "x"'];

  it('a second expect violation checks the same statement', () => {
    expect(failures([...setup, 'expect violation refcount', 'expect violation', 'expect violation refcount', ''].join('\n'))).toEqual([]);
  });

  it('names each listed kind the statement did not raise, and what it raised', () => {
    expect(failures([...setup, 'expect violation refcount, stale-mirror', ''].join('\n'))).toEqual([
      '9:1 expected violation refcount, stale-mirror from the previous statement, found refcount',
    ]);
  });

  it('a statement after them starts afresh', () => {
    expect(failures([...setup, 'expect violation refcount', 'vm1: read heap[0]', 'expect violation', ''].join('\n'))).toEqual([
      '11:1 expected violation from the previous statement, found none',
    ]);
  });

  it('a kind given twice is bad input', () => {
    const r = runSpec(['spec "t"', ...setup, 'expect violation refcount, refcount', ''].join('\n'), 't.mms');
    expect(r.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual(['9:28 violation refcount is given twice']);
  });
});

describe('thread results (v1.1)', () => {
  const setup = ['process vm1', 'vm1: mmap anon heap pages 1', 'vm1: write heap[0] "x"'];
  const race = (order: string) => ['race {', '  t1 = vm1: munmap heap', '  t2 = vm1: read heap[0]', `} schedule ${order}`];

  it('after a race: the schedule\'s result, and a judged thread\'s signal does not fail the spec', () => {
    expect(failures([...setup, ...race('t1, t2'), 'expect t2 SIGSEGV', 'expect t1 ok', ''].join('\n'))).toEqual([]);
    expect(failures([...setup, ...race('t2, t1'), 'expect t2 reads "x"', 'expect t2 SIGSEGV', ''].join('\n'))).toEqual([
      '10:1 t2 ended ok, expected SIGSEGV',
    ]);
  });

  it('a thread no expectation judges still fails the spec by its signal', () => {
    expect(failures([...setup, ...race('t1, t2'), 'expect t1 ok', ''].join('\n'))).toEqual([
      '7:8 read of heap[0] got SIGSEGV: no VMA at this address',
    ]);
  });

  it('a thread with its own expect keeps it: a mismatch fails', () => {
    expect(failures([...setup, 'race {', '  t1 = vm1: munmap heap', '  t2 = vm1: read heap[0] expect "x"', '} schedule t1, t2', 'expect t2 SIGSEGV', ''].join('\n'))[0])
      .toMatch(/^7:8 read of heap\[0\] got SIGSEGV/);
  });

  it('names a thread of the block just before, and a result', () => {
    const diags = (body: string[]) => runSpec(['spec "t"', ...setup, ...body, ''].join('\n'), 't.mms').diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`);
    expect(diags([...race('t1, t2'), 'expect t3 ok'])).toEqual(['9:8 unknown thread "t3" (threads of the block: t1, t2)']);
    expect(diags([...race('t1, t2'), 'vm1: mmap anon h pages 1', 'expect t1 ok'])).toEqual([
      "10:8 expect t1 …: a thread's result is an outcome of explore, or an expectation right after a race block (only expectations between)",
    ]);
    expect(diags([...race('t1, t2'), 'expect t1 ENOENT'])).toEqual([]);
  });
});

describe('thread results of dmirror commands (v1.1)', () => {
  const setup = ['process vm1', 'vm1: mmap anon heap pages 1', 'vm1: write heap[0] "x"', 'vm1: open dmirror d'];

  it('an errno of HMM_DMIRROR_READ is the result; the values it read count as read', () => {
    expect(failures([...setup, 'race {', '  t1 = dmirror d read heap[0]', '  t2 = vm1: munmap heap', '} schedule t2, t1', 'expect t1 EFAULT', ''].join('\n'))).toEqual([]);
    expect(failures([...setup, 'race {', '  t1 = dmirror d read heap[0]', '  t2 = vm1: write heap[0] "y"', '} schedule t1, t2', 'expect t1 reads "x"', ''].join('\n'))).toEqual([]);
  });
});
