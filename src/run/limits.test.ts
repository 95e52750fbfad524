import { describe, it, expect } from 'vitest';
import { parseSpec } from '../lang/parse.js';
import { Interpreter } from './exec.js';
import { runSpec } from './interp.js';

function interpreter(body: string, eventLimit: number): Interpreter {
  const source = `spec "t"\n${body}\n`;
  const it = new Interpreter(parseSpec(source, 't.mms').spec!, source, { eventLimit });
  it.run();
  return it;
}

describe('limits at run time', () => {
  it('a run past its event limit stops as bad input at the statement that went past it', () => {
    const it = interpreter('process vm1\nvm1: mmap anon heap pages 64\nvm1: write heap[0] 1\nvm1: write heap 2\nvm1: read heap[0]', 10);
    expect(it.failure).toBeUndefined();
    expect(it.badInput?.loc.line).toBe(5);
    expect(it.badInput?.message).toBe("this statement takes the run past mmspec's limit of 10 trace events " +
      '(page faults, PTE changes, allocations…): the spec does more work than a run can hold; make it smaller');
  });

  it('in a race too: the thread that goes past the limit stops the run, not just itself', () => {
    const it = interpreter('process vm1\nvm1: mmap anon heap pages 64\nrace {\n  t1 = vm1: write heap 1\n  t2 = vm1: read heap[0]\n}', 10);
    expect(it.failure).toBeUndefined();
    expect(it.badInput?.loc.line).toBe(4);
  });

  it('within the limit, the same spec runs to its end', () => {
    const it = interpreter('process vm1\nvm1: mmap anon heap pages 64\nvm1: write heap 2\nvm1: read heap[0] expect 2', 1000);
    expect(it.badInput).toBeUndefined();
    expect(it.failure).toBeUndefined();
  });

  it('whole-range statements over a 20,000,000-page region act on its populated pages', () => {
    const r = runSpec('spec "t"\nprocess vm1\nvm1: mmap anon heap pages 20000000\nvm1: write heap[0] 1\nvm1: write heap[19999999] 2\n' +
      'vm1: mprotect heap r\nvm1: madvise heap pageout\nkernel: migrate vm1.heap\nvm1: read heap[19999999] expect 2\nvm1: munmap heap\n', 't.mms');
    expect(r.diagnostics).toEqual([]);
    expect(r.failures).toEqual([]);
    const events = r.trace!.steps.flatMap((s) => s.events);
    expect(events.filter((e) => e.startsWith('swap_out'))).toEqual(['swap_out pfn 1 -> slot 0', 'swap_out pfn 2 -> slot 1']);
    expect(r.trace!.final).toMatchObject({ frames: [], swap: [] });
  });

  it('a file of 2^53 - 1 pages: page i holds "NAME:i", computed when read', () => {
    const r = runSpec('spec "t"\nprocess vm1\nfile f pages 9007199254740991\nvm1: mmap file m f offset 9007199254740000 pages 4\n' +
      'vm1: read m[3] expect "f:9007199254740003"\n', 't.mms');
    expect(r.diagnostics).toEqual([]);
    expect(r.failures).toEqual([]);
  });
});

describe('explore max-states N (v1.1)', () => {
  const block = (n: string) => ['spec "t"', 'process vm1', 'process intro', 'vm1: mmap anon heap pages 2', 'vm1: write heap[0] 1',
    'intro: open mirror m of vm1', 'intro: mmap m view pages 2 target vm1.heap[0]',
    `explore max-states ${n} {`, '  t1 = intro: read view[0]', '  t2 = vm1: fork child', '}', 'expect always coherent m', ''].join('\n');

  it('a block below its own limit stops with a message that names it', () => {
    delete process.env.MMSPEC_MAX_STATES;
    const r = runSpec(block('10'), 't.mms');
    expect(r.failures.map((f) => `${f.line} ${f.message}`)).toEqual([
      "8 explore stopped after 10 distinct states and 10 steps (max-states 10 allows 10 states and 400 steps): the result would be incomplete; raise the block's max-states or make the block smaller",
    ]);
  });

  it('--max-states overrides it', () => {
    process.env.MMSPEC_MAX_STATES = '100000';
    try {
      expect(runSpec(block('10'), 't.mms').failures).toEqual([]);
    } finally {
      delete process.env.MMSPEC_MAX_STATES;
    }
  });

  it('0 and more than the limit are bad input, at the number', () => {
    expect(runSpec(block('0'), 't.mms').diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual(['8:20 max-states needs at least 1 state']);
    expect(runSpec(block('3000000'), 't.mms').diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual([
      "8:20 max-states 3000000 is beyond mmspec's limit of 2000000 states for one explore block (--max-states on the command line may go further)",
    ]);
  });
});
