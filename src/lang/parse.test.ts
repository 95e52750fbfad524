import { describe, it, expect } from 'vitest';
import { parseSpec } from './parse.js';
import { checkSpec } from './check.js';
import type { SpecFile, Statement } from './ast.js';

/** Parses text that must be free of syntax errors. */
function parseOk(source: string): SpecFile {
  const r = parseSpec(source, 't.mms');
  expect(r.diagnostics).toEqual([]);
  expect(r.spec).toBeDefined();
  return r.spec!;
}

/** The one statement of a spec "spec" line plus `line`. */
function one(line: string): Statement {
  const spec = parseOk(`spec "t"\n${line}\n`);
  expect(spec.statements).toHaveLength(2);
  return spec.statements[1]!;
}

/** Drops `loc` fields so that shapes can be compared. */
function shape(node: unknown): unknown {
  return JSON.parse(JSON.stringify(node, (k, v: unknown) => (k === 'loc' ? undefined : v)));
}

// Every example of spec-language.md, inside a spec that declares what they use.
const EXAMPLES = `spec "Reclaim of a mirrored page zaps the mirror PTE"   # required, first statement
tags seed, reclaim                                       # optional
memory 256 frames                                        # optional, default 4096 (page-table pages are not counted)
swap 64 slots                                            # optional, default 4096

process vm1
process intro
file data pages 4
file cfg pages 2 = "a", 7
vm1: mmap anon heap pages 8
vm1: mmap file fm data offset 1 pages 2 shared
intro: open mirror m of vm1 with check=inverted, api=hmm2019
intro: mmap m view pages 4 target vm1.heap[0]
vm1: write heap[2..5] "x"
vm1: read heap[3] expect "x"
vm1: read 0x7f0000002000
kernel: reclaim vm1.heap[0..4]
kernel: migrate vm1@0x7f0000002000

race {
  t1 = intro: read view[0]
  t2 = kernel: reclaim vm1.heap[0]
} schedule t1@snapshot, t2, t1

race {
  t1 = intro: read view[0] expect "x"
  t2 = kernel: reclaim vm1.heap[0]
} schedule t1@snapshot, t2, t1@check#2

explore {
  t1 = intro: read view[0]
  t2 = kernel: reclaim vm1.heap[0]
}
expect always coherent m
expect sometimes m counters retries 1
expect never violation

vm1: open dmirror d
dmirror d read vm1.heap[0..2] expect "x", "x"
expect d counters faults 1, cpages 16
`;

describe('parseSpec on the examples of the contract', () => {
  it('parses and checks them without a diagnostic', () => {
    const spec = parseOk(EXAMPLES);
    expect(checkSpec(spec, 't.mms')).toEqual([]);
    expect(spec.statements.map((s) => s.type)).toEqual([
      'spec', 'tags', 'memory', 'swap', 'process', 'process', 'file', 'file', 'mmapAnon', 'mmapFile',
      'openMirror', 'mmapDev', 'write', 'read', 'read', 'kernelReclaim', 'kernelMigrate', 'race', 'race',
      'explore', 'openDmirror', 'dmirrorRead', 'expectCounters',
    ]);
  });

  it('gives a race its threads and schedule', () => {
    const race = parseOk(EXAMPLES).statements.find((s) => s.type === 'race');
    expect(shape(race)).toMatchObject({
      type: 'race',
      threads: [
        { type: 'thread', name: { name: 't1' }, stmt: { type: 'read', actor: { name: 'intro' } } },
        { type: 'thread', name: { name: 't2' }, stmt: { type: 'kernelReclaim' } },
      ],
      schedule: [
        { thread: { name: 't1' }, step: { name: { value: 'snapshot' } } },
        { thread: { name: 't2' } },
        { thread: { name: 't1' } },
      ],
    });
  });

  it('gives an explore its outcomes, including a violation without KIND', () => {
    const explore = parseOk(EXAMPLES).statements.find((s) => s.type === 'explore');
    expect(explore?.type === 'explore' && explore.outcomes.map((o) => [o.quantifier, o.cond.type])).toEqual([
      ['always', 'expectCoherent'], ['sometimes', 'expectCounters'], ['never', 'expectViolation'],
    ]);
  });

  it('reads a step occurrence', () => {
    const race = parseOk(EXAMPLES).statements.filter((s) => s.type === 'race')[1];
    const last = race?.type === 'race' ? race.schedule[2] : undefined;
    expect(shape(last?.step)).toEqual({ type: 'stepRef', name: { type: 'word', value: 'check' }, occurrence: { type: 'int', value: 2, raw: '2' } });
  });
});

describe('statements', () => {
  it('mmap anon takes its modifiers in any order', () => {
    expect(shape(one('vm1: mmap anon big pages 512 huge at 0x7f00_0040_0000 shared rx expect ENOMEM'))).toEqual({
      type: 'mmapAnon', actor: { type: 'name', name: 'vm1' }, name: { type: 'name', name: 'big' },
      pages: { type: 'int', value: 512, raw: '512' }, prot: { type: 'word', value: 'rx' }, shared: true, huge: true,
      at: { type: 'int', value: 0x7f0000400000, raw: '0x7f00_0040_0000' }, expectErrno: { type: 'word', value: 'ENOMEM' },
    });
  });

  it('mmap anon without modifiers has no prot, at or errno fields', () => {
    expect(Object.keys(one('vm1: mmap anon heap pages 1')).sort()).toEqual(['actor', 'huge', 'loc', 'name', 'pages', 'shared', 'type']);
  });

  it('ranges of every address form', () => {
    const ranges = ['heap', 'heap[3]', 'heap[2..5]', 'vm1.heap[0]', '0x7f0000000000', 'vm1@0x7f0000001000'].map((r) => {
      const s = one(`vm1: munmap ${r}`);
      return s.type === 'munmap' ? shape(s.range) : undefined;
    });
    expect(ranges).toEqual([
      { type: 'regionRange', region: { type: 'name', name: 'heap' } },
      { type: 'regionRange', region: { type: 'name', name: 'heap' }, slice: { type: 'slice', start: { type: 'int', value: 3, raw: '3' } } },
      { type: 'regionRange', region: { type: 'name', name: 'heap' }, slice: { type: 'slice', start: { type: 'int', value: 2, raw: '2' }, end: { type: 'int', value: 5, raw: '5' } } },
      { type: 'regionRange', process: { type: 'name', name: 'vm1' }, region: { type: 'name', name: 'heap' }, slice: { type: 'slice', start: { type: 'int', value: 0, raw: '0' } } },
      { type: 'addressRange', address: { type: 'int', value: 0x7f0000000000, raw: '0x7f0000000000' } },
      { type: 'addressRange', process: { type: 'name', name: 'vm1' }, address: { type: 'int', value: 0x7f0000001000, raw: '0x7f0000001000' } },
    ]);
  });

  it('pte present takes attributes in any order', () => {
    expect(shape(one('expect vm1.heap[0] pte present young maps vm2.heap[0] special r zero dirty huge'))).toMatchObject({
      type: 'expectPte', state: 'present', access: { value: 'r' }, special: true, dirty: true, young: true, huge: true, zero: true,
      maps: { type: 'regionRange', process: { name: 'vm2' } },
      attrs: [{ value: 'young' }, { value: 'maps' }, { value: 'special' }, { value: 'r' }, { value: 'zero' }, { value: 'dirty' }, { value: 'huge' }],
    });
  });

  it('every pte state and the other expectations', () => {
    expect(['none', 'swap', 'migration', 'numa'].map((st) => (one(`expect vm1@0x1000 pte ${st}`) as { state: string }).state))
      .toEqual(['none', 'swap', 'migration', 'numa']);
    expect(shape(one('expect page vm1.heap[0] mapcount 2'))).toMatchObject({ type: 'expectPage', mapcount: { value: 2 } });
    expect(shape(one('expect vm1.heap holds 0x10'))).toMatchObject({ type: 'expectHolds', value: { type: 'value', value: 16 } });
    expect(shape(one('expect violation use-after-free'))).toEqual({ type: 'expectViolation', kinds: [{ type: 'word', value: 'use-after-free' }] });
    expect(shape(one('expect violation stale-mirror, refcount'))).toEqual({ type: 'expectViolation', kinds: [{ type: 'word', value: 'stale-mirror' }, { type: 'word', value: 'refcount' }] });
    expect(shape(one('expect violation'))).toEqual({ type: 'expectViolation', kinds: [] });
  });

  it('v1.1 forms: !ATTR, no event, thread results, explore max-states', () => {
    expect(shape(one('expect big[3] pte present r !huge !dirty'))).toMatchObject({ type: 'expectPte', access: { value: 'r' }, huge: false, not: ['huge', 'dirty'] });
    expect(shape(one('expect no event "notify"'))).toEqual({ type: 'expectNoEvent', text: { type: 'string', value: 'notify' } });
    expect(shape(one('expect t1 SIGBUS'))).toEqual({ type: 'expectThread', thread: { type: 'name', name: 't1' }, result: { type: 'word', value: 'SIGBUS' } });
    expect(shape(one('expect t2 reads "old"'))).toMatchObject({ type: 'expectThread', result: { value: 'reads' }, value: { value: 'old' } });
    const ex = one('explore max-states 500 {\n  t1 = vm1: read heap[0]\n}\nexpect sometimes t1 ENOMEM');
    expect(shape(ex)).toMatchObject({ type: 'explore', maxStates: { value: 500 }, outcomes: [{ quantifier: 'sometimes', cond: { type: 'expectThread' } }] });
  });

  it('kernel statements', () => {
    expect(shape(one('kernel: reclaim 16'))).toEqual({ type: 'kernelReclaimPages', count: { type: 'int', value: 16, raw: '16' } });
    expect(['compact', 'khugepaged vm1.big', 'ksm vm1.a[0] and vm1.b[0]', 'numa-scan vm1.heap', 'writeback data', 'oom vm1']
      .map((k) => one(`kernel: ${k}`).type))
      .toEqual(['kernelCompact', 'kernelKhugepaged', 'kernelKsm', 'kernelNumaScan', 'kernelWriteback', 'kernelOom']);
  });

  it('process verbs', () => {
    expect(['mprotect heap rw', 'madvise heap[0] pageout expect EINVAL', 'mremap heap to 0x7f0000100000 expect EINVAL',
      'fork child', 'exit', 'close m', 'write heap[0] 5 expect SIGSEGV', 'read heap expect SIGBUS']
      .map((v) => one(`vm1: ${v}`).type))
      .toEqual(['mprotect', 'madvise', 'mremap', 'fork', 'exit', 'close', 'write', 'read']);
  });

  it('dmirror with and without an actor', () => {
    expect(shape(one('vm1: dmirror d write heap[0..2] = 1, "b" expect EPERM'))).toEqual({
      type: 'dmirrorWrite', actor: { type: 'name', name: 'vm1' }, device: { type: 'name', name: 'd' },
      range: { type: 'regionRange', region: { type: 'name', name: 'heap' }, slice: { type: 'slice', start: { type: 'int', value: 0, raw: '0' }, end: { type: 'int', value: 2, raw: '2' } } },
      values: [{ type: 'value', value: 1 }, { type: 'value', value: 'b' }], expectErrno: { type: 'word', value: 'EPERM' },
    });
    expect(shape(one('dmirror d snapshot vm1.heap[0..2] expect zero+read, dev-local+write'))).toMatchObject({
      type: 'dmirrorSnapshot', expectPerms: [{ text: 'zero+read', flags: ['zero', 'read'] }, { text: 'dev-local+write', flags: ['dev-local', 'write'] }],
    });
    expect(one('dmirror d migrate vm1.heap expect EBUSY')).not.toHaveProperty('actor');
    expect(shape(one('dmirror d read vm1.heap expect ENOENT'))).toMatchObject({ type: 'dmirrorRead', expectErrno: { value: 'ENOENT' } });
  });

  it('open mirror options keep keys and values with their locations', () => {
    const s = one('intro: open mirror m of vm1 with max-retries=4, check=none');
    expect(s.type === 'openMirror' && s.options.map((o) => [o.key.value, o.value.value, o.key.loc.col, o.value.loc.col]))
      .toEqual([['max-retries', 4, 34, 46], ['check', 'none', 49, 55]]);
  });
});

describe('expect trace', () => {
  it('keeps body lines verbatim and trimmed, skipping blank and comment lines', () => {
    const s = one('expect trace {\n   vm1: fault heap[0]   \n\n  # a comment\n  ...\n  t1@check#2 x # not a comment\n}');
    expect(s.type === 'expectTrace' && s.lines.map((l) => [l.text, l.wildcard, l.loc.line, l.loc.col])).toEqual([
      ['vm1: fault heap[0]', false, 3, 4], ['...', true, 6, 3], ['t1@check#2 x # not a comment', false, 7, 3],
    ]);
  });
});

describe('lexemes', () => {
  it('integers: decimal, hex, underscores, up to 2^48 and beyond exactly', () => {
    const values = ['42', '0x7f0000000000', '0x7f00_0000_0000', '1_000', '0xFFFF_FFFF_FFFF', '0x1f_ffff_ffff_ffff'].map((n) => {
      const s = one(`memory ${n} frames`);
      return s.type === 'memory' ? [s.frames.value, s.frames.raw] : undefined;
    });
    expect(values).toEqual([[42, '42'], [0x7f0000000000, '0x7f0000000000'], [0x7f0000000000, '0x7f00_0000_0000'],
      [1000, '1_000'], [2 ** 48 - 1, '0xFFFF_FFFF_FFFF'], [Number.MAX_SAFE_INTEGER, '0x1f_ffff_ffff_ffff']]);
  });

  it('strings: escapes decode, # inside a string is not a comment', () => {
    const s = one(String.raw`vm1: write heap[0] "a \"q\" \\ b\n# c" # comment`);
    expect(s.type === 'write' && s.value.value).toBe('a "q" \\ b\n# c');
  });

  it('tolerates tabs, trailing blanks, CRLF, comment lines and no final newline', () => {
    const spec = parseOk('# head\r\n\tspec\t"t"  \r\n\r\n   # x\r\nprocess   vm1\t# y\r\nvm1 :  exit');
    expect(spec.statements.map((s) => [s.type, s.loc.line, s.loc.col])).toEqual([['spec', 2, 2], ['process', 5, 1], ['exit', 6, 1]]);
  });

  it('locates the statement text without its comment, for trace lines "L12 …"', () => {
    const src = 'spec "t"\n  vm1: read heap[0]   # c\n';
    const s = parseOk(src).statements[1]!;
    expect(src.slice(s.loc.offset, s.loc.offset + s.loc.length)).toBe('vm1: read heap[0]');
  });

  it('identifiers may contain hyphens and digits', () => {
    expect(shape(one('process vm-1_b2'))).toEqual({ type: 'process', name: { type: 'name', name: 'vm-1_b2' } });
  });
});
