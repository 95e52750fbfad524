import { describe, it, expect } from 'vitest';
import { MAX_SOURCE_CHARS, MAX_SYNTAX_ERRORS, parseSpec, STOPPED_MESSAGE } from './parse.js';
import { KEYWORDS } from './names.js';

/** `line:col message` of every syntax error of a spec "t" header plus `body`. */
function errors(body: string): string[] {
  const r = parseSpec(`spec "t"\n${body}`, 't.mms');
  if (r.diagnostics.length > 0) expect(r.spec).toBeUndefined();
  return r.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`);
}

describe('one syntax error: located, in user words', () => {
  const corpus: [string, string][] = [
    ['vm1: mmap anon heap pages x', '2:27 expected an integer, found "x"'],
    ['vm1: mmap anon heap pages 4 rw shared shared', '2:39 "shared" is given twice'],
    ['vm1: mmap anon heap pages 4 rw r', '2:32 a second protection "r": the protection is already "rw"'],
    ['vm1: mmap file f data pages 2 huge', '2:31 "huge" does not apply to a file mapping'],
    ['vm1: read heap[0] foo', '2:19 expected "expect" or end of line, found "foo"'],
    ['read heap[0]', '2:1 a process statement starts with its actor, as in "vm1: read …"; found "read"'],
    ['42', '2:1 expected a statement such as "vm1: read heap[0]", found "42"'],
    ['vm1: frob heap', '2:6 expected a process statement (mmap, open, close, read, write, munmap, mprotect, madvise, mremap, fork, exit, dmirror), found "frob"'],
    ['kernel: squash vm1.heap', '2:9 expected a kernel statement (reclaim, migrate, compact, khugepaged, ksm, numa-scan, writeback, oom), found "squash"'],
    ['process file', '2:9 expected a name, found "file" ("file" is a keyword, and keywords cannot be names)'],
    ['expect vm1.heap[0] pte presentt', '2:24 expected a PTE state (none, present, swap, migration, numa), found "presentt"'],
    ['expect vm1.heap[0] pte present dirty bogus', '2:38 expected a PTE attribute (r, rw, special, dirty, young, huge, zero, maps ADDR, or !rw, !special, !dirty, !young, !huge, !zero) or end of line, found "bogus"'],
    ['expect vm1.heap[0] pte present r rw', '2:34 "rw": the access (r, rw or !rw) is already given'],
    ['expect page vm1.heap[0]', '2:8 expect page needs refcount N, mapcount N or both'],
    ['expect', '2:7 expected an expectation (RANGE pte …, RANGE holds V, page ADDR …, DEV counters …, coherent DEV, violation KIND, no event "TEXT", trace {), found end of line'],
    ['vm1: write heap[0] "abc', '2:20 unterminated string: a string ends with " on the same line'],
    [String.raw`vm1: write heap[0] "a\tb"`, String.raw`2:23 unknown escape \t in a string: use \", \\ or \n`],
    ['vm1: mmap anon h pages 0x1_0000_0000_0000_0000', '2:24 integer 0x1_0000_0000_0000_0000 is too large (at most 2^53 - 1)'],
    ['vm1: mmap anon h pages 0x_10', '2:24 expected an integer, found "0x_10"'],
    ['vm1: mmap anon h pages 12ab', '2:24 expected an integer, found "12ab"'],
    ['vm1: open foo m', '2:11 expected mirror or dmirror, found "foo"'],
    ['vm1: read heap[0', '2:17 expected ".." or "]", found end of line'],
    ['vm1: read heap[0..]', '2:19 expected an integer, found "]"'],
    ['vm1: read', '2:10 expected an address (heap, heap[3], heap[2..5], vm1.heap[0], 0x7f0000000000 or vm1@0x7f0000000000), found end of line'],
    ['vm1: read heap[1] expect', '2:25 expected a value (a string or an integer), SIGSEGV or SIGBUS, found end of line'],
    ['vm1: mprotect heap expect EINVAL', '2:20 expected a protection (none, r, rw, rx, rwx), found "expect"'],
    ['vm1: munmap heap expect', '2:24 expected an error such as EINVAL, found end of line'],
    ['dmirror d frob vm1.heap', '2:11 expected a dmirror command (read, write, snapshot, migrate), found "frob"'],
    ['intro: mmap m view pages 1 target heap', '2:39 expected ".", found end of line'],
    ['race {\n  t1 = vm1: read heap[0]\n} schedule t1@, t1', '4:15 expected a step name such as snapshot or check#2, found ","'],
    ['race {\n  vm1: read heap[0]\n}', '3:6 expected "=", found ":"'],
    ['}', '2:1 expected a statement such as "vm1: read heap[0]", found "}"'],
  ];
  for (const [line, message] of corpus) {
    it(line.split('\n').join(' ⏎ '), () => {
      expect(errors(`${line}\n`)).toEqual([message]);
    });
  }

  it('every keyword is refused as a name', () => {
    const bad = KEYWORDS.filter((k) => errors(`process ${k}\n`).length !== 1);
    expect(bad).toEqual([]);
    expect(errors('process vm1\n')).toEqual([]);
  });

  it('the caret run covers the token found', () => {
    const r = parseSpec('spec "t"\nvm1: frob heap\n', 't.mms');
    expect(r.diagnostics[0]).toEqual({ file: 't.mms', line: 2, col: 6, length: 4, message: expect.any(String) });
  });
});

describe('every syntax error of a file', () => {
  it('reports each broken line and parses the rest', () => {
    expect(errors([
      'process vm1',
      'vm1: mmap anon heap pages x',
      'vm1: read heap[0]',
      'vm1: frob heap',
      'kernel: reclaim vm1.heap',
      'expect vm1.heap[0] pte bogus',
      '',
    ].join('\n'))).toEqual([
      '3:27 expected an integer, found "x"',
      '5:6 expected a process statement (mmap, open, close, read, write, munmap, mprotect, madvise, mremap, fork, exit, dmirror), found "frob"',
      '7:24 expected a PTE state (none, present, swap, migration, numa), found "bogus"',
    ]);
  });

  it('a broken block header costs one error, not one per line of the block', () => {
    expect(errors([
      'race {{',
      '  t1 = vm1: read heap[0]',
      '  t2 = kernel: compact',
      '} schedule t1',
      'vm1: frob',
      '',
    ].join('\n'))).toEqual([
      '2:7 expected end of line, found "{"',
      '6:6 expected a process statement (mmap, open, close, read, write, munmap, mprotect, madvise, mremap, fork, exit, dmirror), found "frob"',
    ]);
  });

  it('an error inside a block costs that line only', () => {
    expect(errors([
      'explore {',
      '  t1 = vm1: rd heap[0]',
      '  t2 = kernel: compact',
      '}',
      'expect always cohrent m',
      'expect never violation',
      '',
    ].join('\n'))).toEqual([
      '3:13 expected a process statement (mmap, open, close, read, write, munmap, mprotect, madvise, mremap, fork, exit, dmirror), found "rd"',
      '6:23 expected "counters", "holds", "pte", "reads" or a thread result (ok, SIGSEGV, SIGBUS, SIGKILL, an errno), found "m"',
    ]);
  });

  it('a bad schedule costs the block once', () => {
    expect(errors('race {\n  t1 = vm1: read heap[0]\n} schedule t1@snapshot t2\nvm1: exit x\n')).toEqual([
      '4:24 expected "," or end of line, found "t2"',
      '5:11 expected end of line, found "x"',
    ]);
  });

  it('an unclosed block is reported at its header, and what follows still parses', () => {
    expect(errors('race {\n  t1 = vm1: read heap[0]\nvm1: read heap[1]\nvm1: read heap[1] expect\n')).toEqual([
      '2:1 "race {" is never closed: expected "}" at the start of a later line',
      '5:25 expected a value (a string or an integer), SIGSEGV or SIGBUS, found end of line',
    ]);
  });

  it('an unclosed expect trace runs to the end of the file', () => {
    expect(errors('expect trace {\n  a\n  b\n')).toEqual([
      '2:1 "expect trace {" is never closed: expected "}" at the start of a later line',
    ]);
  });

  it('stops on a file made of errors without looping, after MAX_SYNTAX_ERRORS, saying where', () => {
    const body = Array.from({ length: 200 }, (_, i) => `junk ${i} ?`).join('\n');
    const all = errors(body);
    expect(all).toHaveLength(MAX_SYNTAX_ERRORS + 1);
    expect(all[0]).toBe('2:6 expected ":", found "0"');
    expect(all.at(-1)).toBe(`${MAX_SYNTAX_ERRORS + 2}:6 ${STOPPED_MESSAGE}`);
  });

  it('20,000 stray "}" lines after a 15,000-line trace block: a few reparses, not 20,000', () => {
    const body = `expect trace {\n${'expect trace {\n'.repeat(15_000)}}\n${'}\n'.repeat(20_000)}`;
    const all = errors(body);
    // Stopped by the error count, or sooner by the characters re-read (a long file).
    expect(all.length).toBeLessThanOrEqual(MAX_SYNTAX_ERRORS + 1);
    expect(all.at(-1)).toMatch(/more syntax errors from here on are not reported \(\d+ found\)$/);
  });

  it('a 200,000-character line with an error costs one parse, not a quadratic rebuild', () => {
    const long = `vm1: write heap[0] "${'a'.repeat(200_000)}" junk\n`;
    expect(errors(`process vm1\nvm1: mmap anon heap pages 1\n${long}`)).toEqual([
      '4:200023 expected "expect" or end of line, found "junk"',
    ]);
  });

  it('a lone carriage return (old Mac line ends) is one error that says so', () => {
    expect(errors('process vm1\rprocess vm2\r')).toEqual([
      '2:12 expected end of line, found a carriage return without a line feed (a line ends with \\n or \\r\\n)',
    ]);
  });

  it('a UTF-8 byte order mark before the first statement is accepted', () => {
    expect(parseSpec('\ufeffspec "t"\nprocess vm1\n', 't.mms').diagnostics).toEqual([]);
  });

  it('a found token of 100,000 characters is quoted by its start', () => {
    const [e] = errors(`process ${'x'.repeat(100_000)} y\n`);
    expect(e).toBe('2:100010 expected end of line, found "y"');
    const [f] = errors(`vm1: ${'q'.repeat(100_000)}\n`);
    expect(f!.length).toBeLessThan(300);
    expect(f).toContain(`found "${'q'.repeat(30)}…"`);
  });

  it('a file beyond 2 MiB is refused at the line where it passes the limit', () => {
    const line = 'vm1: read heap[0]\n';
    const n = Math.ceil(MAX_SOURCE_CHARS / line.length) + 10;
    const r = parseSpec(`spec "t"\n${line.repeat(n)}`, 't.mms');
    expect(r.spec).toBeUndefined();
    const at = Math.floor((MAX_SOURCE_CHARS - 9) / line.length) + 2;
    expect(r.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual([
      `${at}:${MAX_SOURCE_CHARS - 9 - (at - 2) * line.length + 1} the file has ${9 + n * line.length} characters, beyond mmspec's limit of 2097152 characters (2 MiB): split the scenario`,
    ]);
  });

  it('a file of tens of thousands of broken lines: the first errors, then where it stopped', () => {
    const body = Array.from({ length: 50_000 }, (_, i) => `junk ${i} ?`).join('\n');
    const found = errors(body);
    expect(found.length).toBeGreaterThan(2);
    expect(found.length).toBeLessThan(100);
    const n = found.length - 1;
    expect(found[n - 1]).toBe(`${n + 1}:6 expected ":", found "${n - 1}"`);
    expect(found[n]).toBe(`${n + 1}:6 more syntax errors from here on are not reported (${n} found)`);
  });
});
