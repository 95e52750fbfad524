import { describe, it, expect } from 'vitest';
import { parseSpec } from './parse.js';
import { checkSpec } from './check.js';
import {
  MAX_ACCESS_PAGES, MAX_FRAMES, MAX_MAP_PAGES, MAX_RETRIES, MAX_SCHEDULE, MAX_STRING, MAX_SWAP_SLOTS, MAX_THREADS,
} from './limits.js';

/** `line:col message` of the static errors of `spec "t"` + `body`. */
function problems(body: string): string[] {
  const r = parseSpec(`spec "t"\n${body}\n`, 't.mms');
  expect(r.diagnostics).toEqual([]);
  return checkSpec(r.spec!, 't.mms').map((d) => `${d.line}:${d.col} ${d.message}`);
}

describe('limits: located errors naming the limit', () => {
  it('memory and swap beyond 2^31 - 1', () => {
    expect(problems(`memory ${MAX_FRAMES + 1} frames\nswap 9007199254740991 slots`)).toEqual([
      '2:8 memory of 2147483648 frames is beyond mmspec\'s limit of 2147483647 frames',
      '3:6 swap of 9007199254740991 slots is beyond mmspec\'s limit of 2147483647 slots',
    ]);
    expect(problems(`memory ${MAX_FRAMES} frames\nswap ${MAX_SWAP_SLOTS} slots`)).toEqual([]);
  });

  it('a mapping beyond 2^25 pages, unless it expects an errno', () => {
    expect(problems(`process vm1\nvm1: mmap anon heap pages ${MAX_MAP_PAGES + 1}`)).toEqual([
      '3:27 a mapping of 33554433 pages is beyond mmspec\'s limit of 33554432 pages (128 GiB)',
    ]);
    expect(problems('process vm1\nfile f pages 1000000000\nvm1: mmap file m f pages 1000000000')).toEqual([
      '4:26 a mapping of 1000000000 pages is beyond mmspec\'s limit of 33554432 pages (128 GiB)',
    ]);
    expect(problems(`process vm1\nvm1: mmap anon heap pages ${MAX_MAP_PAGES}`)).toEqual([]);
    expect(problems('process vm1\nvm1: mmap anon heap pages 68719476736 expect ENOMEM')).toEqual([]);
  });

  it('a page-by-page statement over more than 2^15 pages; whole-range statements are not limited', () => {
    const big = `process vm1\nvm1: open dmirror d\nvm1: mmap anon heap pages ${MAX_ACCESS_PAGES + 1}\n`;
    expect(problems(big + 'vm1: read heap\nvm1: write heap 1\nexpect vm1.heap pte none\nexpect vm1.heap holds 0\ndmirror d migrate heap')).toEqual([
      '5:11 a range of 32769 pages is beyond mmspec\'s limit of 32768 pages for a statement that goes page by page',
      '6:12 a range of 32769 pages is beyond mmspec\'s limit of 32768 pages for a statement that goes page by page',
      '7:8 a range of 32769 pages is beyond mmspec\'s limit of 32768 pages for a statement that goes page by page',
      '8:8 a range of 32769 pages is beyond mmspec\'s limit of 32768 pages for a statement that goes page by page',
      '9:19 a range of 32769 pages is beyond mmspec\'s limit of 32768 pages for a statement that goes page by page',
    ]);
    expect(problems(big + `vm1: read heap[1..${MAX_ACCESS_PAGES + 1}]\nvm1: munmap heap\nkernel: reclaim vm1.heap\nvm1: mprotect heap r`)).toEqual([]);
  });

  it('max-retries beyond 1000', () => {
    expect(problems(`process vm1\nprocess intro\nintro: open mirror m of vm1 with max-retries=${MAX_RETRIES + 1}`)).toEqual([
      '4:46 option max-retries=1001 is beyond mmspec\'s limit of 1000',
    ]);
    expect(problems(`process vm1\nprocess intro\nintro: open mirror m of vm1 with max-retries=${MAX_RETRIES}`)).toEqual([]);
  });

  it('a string value beyond 4096 characters, wherever it stands', () => {
    const long = `"${'x'.repeat(MAX_STRING + 1)}"`;
    expect(problems(`process vm1\nvm1: mmap anon heap pages 1\nvm1: write heap[0] ${long}\nfile f pages 1 = ${long}\nexpect vm1.heap[0] holds ${long}`)).toEqual([
      '4:20 a string of 4097 characters is beyond mmspec\'s limit of 4096 characters (a page holds 4 KiB)',
      '5:18 a string of 4097 characters is beyond mmspec\'s limit of 4096 characters (a page holds 4 KiB)',
      '6:26 a string of 4097 characters is beyond mmspec\'s limit of 4096 characters (a page holds 4 KiB)',
    ]);
    expect(problems(`process vm1\nvm1: mmap anon heap pages 1\nvm1: write heap[0] "${'x'.repeat(MAX_STRING)}"`)).toEqual([]);
  });

  it('threads of a block beyond 64, schedule entries beyond 100,000', () => {
    const threads = (n: number) => Array.from({ length: n }, (_, i) => `  t${i} = vm1: read heap[0]`).join('\n');
    expect(problems(`process vm1\nvm1: mmap anon heap pages 1\nexplore {\n${threads(MAX_THREADS + 1)}\n}`)).toEqual([
      '69:3 an explore block of 65 threads is beyond mmspec\'s limit of 64 threads',
    ]);
    const schedule = Array.from({ length: MAX_SCHEDULE + 1 }, () => 't0').join(', ');
    const r = problems(`process vm1\nvm1: mmap anon heap pages 1\nrace {\n${threads(1)}\n} schedule ${schedule}`);
    expect(r).toEqual([`6:${12 + 4 * MAX_SCHEDULE} a schedule of 100001 entries is beyond mmspec's limit of 100000 entries`]);
  });

  it('munmap of parts of a region of millions of pages: the overlap check stays exact', () => {
    // The holes a partial munmap leaves are page intervals (a Set of pages overflowed at 2^24).
    const body = 'process vm1\nvm1: mmap anon heap pages 20000000 at 0x100000000000\n' +
      'vm1: munmap heap[0..10000000]\nvm1: munmap heap[10000001..20000000]\n';
    expect(problems(body + 'vm1: mmap anon a pages 1 at 0x100000000000')).toEqual([]);
    expect(problems(body + 'vm1: mmap anon a pages 1 at 0x100989680000')).toEqual([
      '6:29 mapping at 0x100989680000 overlaps region heap of vm1 (0x100000000000..0x101312d00000): munmap it first',
    ]);
    expect(problems(body + 'vm1: munmap heap[10000000]\nvm1: mmap anon a pages 20000000 at 0x100000000000')).toEqual([]);
  });
});
