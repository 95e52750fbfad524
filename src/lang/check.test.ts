import { describe, it, expect } from 'vitest';
import { parseSpec } from './parse.js';
import { checkSpec } from './check.js';
import { mirrorOptions, DEFAULT_MIRROR_OPTIONS } from './options.js';
import { stepsOf } from './steps.js';

const PRELUDE = [
  'spec "t"',
  'process vm1',
  'process intro',
  'file data pages 2',
  'vm1: mmap anon heap pages 4',
  'intro: open mirror m of vm1',
  'intro: mmap m view pages 2 target vm1.heap[0]',
  'vm1: open dmirror d',
].join('\n');
const PRELUDE_LINES = PRELUDE.split('\n').length;

/** `line:col message` of the static errors of PRELUDE + `body`; lines count from the body's first. */
function problems(body: string): string[] {
  const r = parseSpec(`${PRELUDE}\n${body}\n`, 't.mms');
  expect(r.diagnostics).toEqual([]);
  return checkSpec(r.spec!, 't.mms').map((d) => `${d.line - PRELUDE_LINES}:${d.col} ${d.message}`);
}

describe('checkSpec', () => {
  it('accepts the prelude', () => {
    expect(problems('')).toEqual([]);
  });

  it('accepts the largest file and mapping, and a larger mapping that expects an error', () => {
    expect(problems('file big pages 65536\nvm1: mmap anon big pages 65_536\nvm1: mmap anon huge2 pages 0x1000000000 expect ENOMEM')).toEqual([]);
  });

  const corpus: [string, string][] = [
    ['process vm1', '1:9 duplicate process "vm1"'],
    ['vm2: read heap[0]', '1:1 unknown process "vm2" (known: vm1, intro)'],
    ['vm1: read heep[0]', '1:11 unknown region "heep" of process vm1 (known: heap)'],
    ['vm1: read heap[4]', '1:16 page 4 is out of range: region heap has 4 pages (0..3)'],
    ['vm1: read heap[1..9]', '1:19 end 9 is out of range: region heap has 4 pages (the end of [a..b] is exclusive, at most 4)'],
    ['vm1: read heap[3..3]', '1:15 empty range [3..3]: the end is exclusive and must be greater than the start'],
    ['vm1: read 0x7f0000000123', '1:11 unaligned address 0x7f0000000123: addresses are multiples of the page size (0x1000)'],
    ['vm1: mmap anon a pages 1 at 0x7f0000000800', '1:29 unaligned address 0x7f0000000800: addresses are multiples of the page size (0x1000)'],
    ['vm1: mmap anon heap pages 2', '1:16 duplicate region "heap" of process vm1: region names are never reused, choose another'],
    ['vm1: mmap anon a pages 4 42', '1:26 expected a protection (none, r, rw, rx, rwx), found "42"'],
    ['vm1: mprotect heap rwz', '1:20 expected a protection (none, r, rw, rx, rwx), found "rwz"'],
    ['vm1: madvise heap sleep', '1:19 expected an advice (dontneed, free, pageout, cold, willneed, hugepage, nohugepage, mergeable, collapse), found "sleep"'],
    ['vm1: munmap heap expect ENOENT', '1:25 expected an error (EINVAL, ENOMEM, EFAULT, EPERM, EAGAIN), found "ENOENT"'],
    ['vm1: read heap[0] expect SIGTERM', '1:26 expected a value or a signal (SIGSEGV, SIGBUS, SIGKILL), found "SIGTERM"'],
    ['vm1: mmap file f nofile pages 2', '1:18 unknown file "nofile" (known: data)'],
    ['file cfg pages 2 = "a"', '1:20 file cfg has 2 pages but 1 values: give exactly one value per page'],
    ['file data pages 1', '1:6 duplicate file "data"'],
    ['vm1: mmap anon big pages 1_000_000_000', "1:26 a mapping of 1_000_000_000 pages is beyond mmspec's limit of 33554432 pages (128 GiB)"],
    ['vm1: munmap heap[2..9007199254740991]', '1:21 end 9007199254740991 is out of range: region heap has 4 pages (the end of [a..b] is exclusive, at most 4)'],
    ['vm1: mmap anon big pages 1_000_000_000\nvm1: munmap big\nvm1: read big[999999999]', "1:26 a mapping of 1_000_000_000 pages is beyond mmspec's limit of 33554432 pages (128 GiB)"],
    ['intro: open mirror m2 of vm1 with chek=valid', '1:35 unknown mirror option "chek": expected api, check, lock, vma, fault, fork, mkwrite, max-retries'],
    ['intro: open mirror m2 of vm1 with api=hmm2020', '1:39 expected a value of option api (interval, hmm2019), found "hmm2020"'],
    ['intro: open mirror m2 of vm1 with max-retries=0', '1:47 option max-retries needs an integer ≥ 1, found "0"'],
    ['intro: open mirror m2 of vm1 with max-retries=4294967296', "1:47 option max-retries=4294967296 is beyond mmspec's limit of 1000"],
    ['intro: open mirror m2 of vm1 with lock=on, lock=off', '1:44 option "lock" is given twice'],
    ['intro: open mirror m of vm1', '1:20 duplicate device "m"'],
    ['intro: mmap m v2 pages 1 target vm1.heap[4]', '1:42 page 4 is out of range: region heap of vm1 has 4 pages'],
    ['intro: mmap mm v2 pages 1 target vm1.heap[0]', '1:13 unknown device "mm" (known: m, d)'],
    ['intro: close m\nintro: mmap m v2 pages 1 target vm1.heap[0]', '2:13 device m is closed: mmap it before close'],
    ['kernel: reclaim heap[0]', '1:17 name the process here, as in vm1.heap: only a process statement has an actor'],
    ['kernel: migrate 0x7f0000000000', '1:17 name the process here, as in vm1@0x7f0000000000: only a process statement has an actor'],
    ['kernel: ksm vm1.heap and vm1.heap[1]', '1:13 ksm merges single pages: this range has 4 pages'],
    ['kernel: writeback nofile', '1:19 unknown file "nofile" (known: data)'],
    ['kernel: oom vm9', '1:13 unknown process "vm9" (known: vm1, intro)'],
    ['expect heap[0] holds 1', '1:8 name the process here, as in vm1.heap: only a process statement has an actor'],
    ['expect vm1.heap[0] pte present maps view[0]', '1:37 name the process here, as in vm1.view: only a process statement has an actor'],
    ['expect m counters faults 1, cpages 2', '1:29 expected a counter of mirror m (faults, retries, invalidations, zaps, sigbus), found "cpages"'],
    ['expect d counters retries 1', '1:19 expected a counter of dmirror d (faults, cpages), found "retries"'],
    ['expect n counters faults 1', '1:8 unknown device "n" (known: m, d)'],
    ['expect coherent n', '1:17 unknown device "n" (known: m, d)'],
    ['expect violation stale', '1:18 expected a violation kind (stale-mirror, mirror-perm, use-after-free, refcount, livelock, deadlock), found "stale"'],
    ['intro: read vm1.heap[0]', '1:13 a statement of intro acts on intro\'s own memory: drop "vm1."'],
    ['dmirror d read heap[0..2] expect 1', '1:34 1 entry for a range of 2 pages: give one per page'],
    ['intro: dmirror d read heap[0]', '1:1 dmirror d was opened by vm1: only its opener drives it'],
    ['dmirror m read vm1.heap[0]', '1:9 device m is a mirror, not a dmirror'],
    ['dmirror d snapshot heap[0..2] expect read, zero+bogus', '1:44 unknown permission "bogus" in "zero+bogus": expected error, none, read, write, optionally with zero, pmd, pud, dev-local, dev-remote, dev-coherent-local, dev-coherent-remote joined by +'],
    ['dmirror d snapshot heap[0] expect zero', '1:35 permission "zero" needs exactly one of error, none, read, write'],
    ['vm1: fork child\nchild: mmap anon heap pages 1', '2:18 duplicate region "heap" of process child: region names are never reused, choose another'],
    ['vm1: mmap anon x pages 1 at 0x7f0000102001', '1:29 unaligned address 0x7f0000102001: addresses are multiples of the page size (0x1000)'],
    ['vm1: mmap anon x pages 1 at 0x7f0000002000', '1:29 mapping at 0x7f0000002000 overlaps region heap of vm1 (0x7f0000000000..0x7f0000004000): munmap it first'],
    ['vm1: exit\nvm1: read heap[0]', '2:1 process vm1 has exited: it can run nothing more'],
    ['vm1: read heap[0]\nswap 8 slots', '2:1 "swap" sizes the machine before anything runs: put it in the header, right after spec'],
    ['kernel: reclaim 0', '1:17 reclaim needs a count of at least 1 page'],
    ['race {\n}', '1:1 a race block needs at least one thread ("t1 = vm1: read heap[0]")'],
  ];
  for (const [body, message] of corpus) {
    it(body.split('\n').join(' ⏎ '), () => {
      expect(problems(body)).toEqual([message]);
    });
  }

  it('lets a mirror run past its target region (those pages mirror the guard hole: SIGBUS at run time)', () => {
    expect(problems('intro: mmap m v2 pages 4 target vm1.heap[2]')).toEqual([]);
  });

  it('leaves to run time what Linux fails with an errno (spec-language.md §5)', () => {
    expect(problems('vm1: mremap heap to 0x7f0000102001')).toEqual([]);
    expect(problems('vm1: mmap anon x pages 0 expect EINVAL')).toEqual([]);
    expect(problems('vm1: mmap anon x pages 1 at 0x7f0000102001 expect EINVAL')).toEqual([]);
  });

  it('one mistake gives one error: a mapping that cannot exist raises none later', () => {
    expect(problems('vm1: mmap anon x pages 1 at 0x7f0000100001\nvm1: mmap anon y pages 1 at 0x7f0000100000\nvm1: read x[0]'))
      .toEqual(['1:29 unaligned address 0x7f0000100001: addresses are multiples of the page size (0x1000)']);
    expect(problems('vm1: mmap anon e pages 0\nvm1: read e[0]')).toEqual(['1:24 a mapping needs at least 1 page']);
  });

  it('checks the header: sizes at least 1, each statement once', () => {
    const header = (text: string): string[] => {
      const r = parseSpec(text, 't.mms');
      return checkSpec(r.spec!, 't.mms').map((d) => `${d.line}:${d.col} ${d.message}`);
    };
    expect(header('spec "t"\nmemory 0 frames\n')).toEqual(['2:8 memory needs at least 1 frame']);
    expect(header('spec "t"\nswap 1 slots\nswap 2 slots\n')).toEqual(['3:1 a second "swap" statement: a spec has at most one']);
  });

  it('spec must be the first statement', () => {
    const r = parseSpec('process vm1\nspec "t"\n', 't.mms');
    expect(checkSpec(r.spec!, 't.mms').map((d) => `${d.line}:${d.col} ${d.message}`))
      .toEqual(['1:1 expected spec "title" as the first statement']);
  });

  it('knows the regions a forked child inherits, and names kept after mremap and munmap', () => {
    expect(problems([
      'vm1: fork child',
      'child: write heap[3] 1',
      'expect child.heap[3] holds 1',
      'vm1: mremap heap to 0x7f0000100000',
      'vm1: read heap[0]',
      'vm1: munmap heap',
      'vm1: read heap[0] expect SIGSEGV',
    ].join('\n'))).toEqual([]);
  });

  it('overlapping at placements while both are live, not after munmap', () => {
    expect(problems([
      'vm1: mmap anon a pages 4 at 0x7f0000100000',
      'vm1: mmap anon b pages 4 at 0x7f0000102000',
      'vm1: munmap a',
      'vm1: mmap anon c pages 2 at 0x7f0000100000',
      'vm1: mmap anon e pages 2 at 0x7f0000104000 expect EINVAL',
      'vm1: mremap c to 0x7f0000104000',
    ].join('\n'))).toEqual([
      '2:29 mapping at 0x7f0000102000 overlaps region a of vm1 (0x7f0000100000..0x7f0000104000): munmap it first',
      '6:18 mapping at 0x7f0000104000 overlaps region b of vm1 (0x7f0000102000..0x7f0000106000): munmap it first',
    ]);
  });

  it('schedules: unknown threads, steps a thread cannot have, occurrences from #1', () => {
    expect(problems([
      'race {',
      '  t1 = intro: read view[0]',
      '  t1 = kernel: reclaim vm1.heap[0]',
      '  t3 = intro: open mirror m2 of vm1',
      '  t4 = kernel: reclaim vm1.heap[0]',
      '} schedule t1@snapshot, t2, t1@bogus, t3@begin, t1@check#0, t4@swapout, t4@inv-zap',
    ].join('\n'))).toEqual([
      '3:3 duplicate thread "t1" in this race block',
      '6:25 unknown thread "t2": this race has t1, t3, t4',
      '6:32 thread t1 has no step "bogus": its steps are begin, snapshot, lock, check, insert, unlock, start, clear, end, inv-lock, inv-zap, inv-unlock, isolate, swapout, free, remap, fault, release',
      '6:42 thread t3 runs in one step: it has no step "begin"',
      '6:58 #0: occurrences count from #1',
    ]);
  });

  it('reports every problem of a file, in source order', () => {
    expect(problems('vm2: read heap[0]\nexpect coherent n\nvm1: read heap[9]')).toEqual([
      '1:1 unknown process "vm2" (known: vm1, intro)',
      '2:17 unknown device "n" (known: m, d)',
      '3:16 page 9 is out of range: region heap has 4 pages (0..3)',
    ]);
  });

  it('checks the statements of threads and explore outcomes', () => {
    expect(problems('explore {\n  t1 = vm1: read heep[0]\n}\nexpect always coherent n')).toEqual([
      '2:18 unknown region "heep" of process vm1 (known: heap)',
      '4:24 unknown device "n" (known: m, d)',
    ]);
  });
});

describe('tables', () => {
  it('mirrorOptions fills in the defaults of §7', () => {
    const r = parseSpec('spec "t"\nintro: open mirror m of vm1 with check=inverted, max-retries=3\nintro: open mirror m2 of vm1\n', 't.mms');
    const [, a, b] = r.spec!.statements;
    expect(a?.type === 'openMirror' && mirrorOptions(a)).toEqual({ ...DEFAULT_MIRROR_OPTIONS, check: 'inverted', maxRetries: 3 });
    expect(b?.type === 'openMirror' && mirrorOptions(b)).toEqual({
      api: 'interval', check: 'valid', lock: 'on', vma: 'pfnmap', fault: 'hmm', fork: 'dontcopy', mkwrite: 'fault', maxRetries: 16,
    });
  });

  it('reclaim threads have reclaim steps, migrate threads migrate steps', () => {
    const r = parseSpec('spec "t"\nkernel: reclaim vm1.heap\nkernel: migrate vm1.heap\n', 't.mms');
    const [, rec, mig] = r.spec!.statements;
    expect(rec?.type === 'kernelReclaim' && stepsOf(rec)).toEqual(expect.arrayContaining(['start', 'clear', 'end', 'isolate', 'swapout', 'free', 'inv-zap']));
    expect(mig?.type === 'kernelMigrate' && stepsOf(mig)).toEqual(expect.arrayContaining(['copy', 'remap']));
    expect(mig?.type === 'kernelMigrate' && stepsOf(mig)).not.toContain('swapout');
  });

  it('a CPU access may stop at the end of its fault (the trace\'s [t1@fault]); a kernel event may not', () => {
    const r = parseSpec('spec "t"\nvm1: write heap[0] 1\nkernel: reclaim vm1.heap\n', 't.mms');
    const [, write, rec] = r.spec!.statements;
    expect(write?.type === 'write' && stepsOf(write)).toContain('fault');
    expect(rec?.type === 'kernelReclaim' && stepsOf(rec)).not.toContain('fault');
  });
});

describe('the threads of a block are checked in no declaration order (issue 14)', () => {
  it('a thread may name what another removes, declared before or after it', () => {
    for (const block of ['explore', 'race']) {
      expect(problems(`${block} {\n  t1 = vm1: exit\n  t2 = vm1: read heap[0]\n}`)).toEqual([]);
      expect(problems(`${block} {\n  t1 = vm1: read heap[0]\n  t2 = vm1: exit\n}`)).toEqual([]);
      expect(problems(`${block} {\n  t1 = vm1: munmap heap\n  t2 = vm1: write heap[1] 1\n}`)).toEqual([]);
    }
  });

  it('and what another creates; after the block the removal holds', () => {
    expect(problems('explore {\n  t1 = vm1: read extra[0]\n  t2 = vm1: mmap anon extra pages 1\n}')).toEqual([]);
    expect(problems('explore {\n  t1 = vm1: exit\n  t2 = vm1: read heap[0]\n}\nvm1: read heap[0]')).toEqual(['5:1 process vm1 has exited: it can run nothing more']);
  });
});
