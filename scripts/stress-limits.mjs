#!/usr/bin/env node
// Generates specs with big numbers (huge regions, swap, files, memory, long schedules, long
// files, explorations with many threads, out-of-range integers) into a temporary folder and
// times `node --max-old-space-size=2048 bin/mmspec.js run` on each, with a timeout.
// Each must end within seconds with exit 0, 1 or 2 and a clear message: never an exhausted
// heap, an internal error or a timeout.
//
//   node scripts/stress-limits.mjs [--timeout S] [--only SUBSTRING] [--keep]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const timeout = Number(opt('--timeout', '30')) * 1000;
const only = opt('--only', '');
const keep = args.includes('--keep');

const BIG = 20_000_000; // pages of a big region (80 GB)
const cases = [];
const add = (name, body) => cases.push({ name, text: `spec "${name}"\n${body}\n` });

// A big anonymous region with its first and last pages touched, then one whole-region operation.
const big = (extra = '') => `process vm1\nvm1: mmap anon heap pages ${BIG}${extra}\nvm1: write heap[0] 1\nvm1: write heap[${BIG - 1}] 2\n`;
add('munmap of a 20M-page region', big() + 'vm1: munmap heap\n');
add('munmap of part of a 20M-page region', big() + `vm1: munmap heap[1..${BIG - 1}]\n`);
add('mprotect of a 20M-page region', big() + 'vm1: mprotect heap r\nvm1: read heap[0] expect 1\n');
for (const adv of ['dontneed', 'free', 'pageout', 'cold', 'willneed', 'hugepage', 'nohugepage', 'mergeable', 'collapse'])
  add(`madvise ${adv} of a 20M-page region`, big() + `vm1: madvise heap ${adv}\n`);
add('mremap of a 20M-page region', big() + 'vm1: mremap heap to 0x100000000000\nvm1: read heap[0] expect 1\n');
add('reclaim of a 20M-page region', big() + 'kernel: reclaim vm1.heap\n');
add('migrate of a 20M-page region', big() + 'kernel: migrate vm1.heap\n');
add('khugepaged of a 20M-page region', big() + 'kernel: khugepaged vm1.heap\n');
add('numa-scan of a 20M-page region', big() + 'kernel: numa-scan vm1.heap\n');
add('fork of a 20M-page region', big() + 'vm1: fork c\nc: write heap[0] 3\nc: exit\n');
add('exit with a 20M-page region', big() + 'vm1: exit\n');
add('oom of a process with a 20M-page region', big() + 'kernel: oom vm1\n');
add('huge 20M-page region', big(' huge') + 'vm1: munmap heap\n');
add('mirror view of a 20M-page region', big() +
  'process intro\nintro: open mirror m of vm1\n' +
  `intro: mmap m view pages ${BIG} target vm1.heap[0]\nintro: read view[0] expect 1\n` +
  'vm1: munmap heap\nintro: munmap view\n');
add('dmirror on a 20M-page region, then whole-region operations', big() + 'vm1: open dmirror d\n' +
  `vm1: dmirror d read heap[0] expect 1\nvm1: dmirror d migrate heap[${BIG - 1}]\nvm1: mprotect heap r\nkernel: reclaim vm1.heap\nvm1: fork c\nc: exit\nvm1: munmap heap\nvm1: exit\n`);
add('dmirror migrate of a 20M-page region', big() + 'vm1: open dmirror d\nvm1: dmirror d migrate heap\n');
add('dmirror snapshot of a 20M-page region', big() + 'vm1: open dmirror d\nvm1: dmirror d snapshot heap\n');
add('read of every page of a 20M-page region', big() + 'vm1: read heap\n');
add('write of every page of a 20M-page region', big() + 'vm1: write heap 5\n');
const MAXMAP = 2 ** 25, ACC = 2 ** 15;
add('mapping of 2^25 pages, whole-range operations', `process vm1\nvm1: mmap anon heap pages ${MAXMAP}\nvm1: write heap[0] 1\nvm1: write heap[${MAXMAP - 1}] 2\n` +
  'vm1: mprotect heap r\nvm1: madvise heap cold\nvm1: madvise heap free\nkernel: reclaim vm1.heap\nkernel: migrate vm1.heap\nvm1: fork c\nc: exit\nvm1: munmap heap\n');
add('mapping of 2^25 + 1 pages', `process vm1\nvm1: mmap anon heap pages ${MAXMAP + 1}\n`);
add('read of 2^15 pages', `process vm1\nvm1: mmap anon heap pages ${ACC}\nvm1: read heap expect 0\n`);
add('write of 2^15 pages', `memory ${2 * ACC} frames\nprocess vm1\nvm1: mmap anon heap pages ${ACC}\nvm1: write heap 7\nexpect vm1.heap holds 7\nexpect vm1.heap pte present rw\n`);
add('write of 2^15 pages in 4096 frames', `process vm1\nvm1: mmap anon heap pages ${ACC}\nvm1: write heap 7 expect SIGKILL\n`);
add('expect pte none over 2^15 pages', `process vm1\nvm1: mmap anon heap pages ${ACC}\nexpect vm1.heap pte none\n`);
add('dmirror snapshot of 2^15 pages', `process vm1\nvm1: mmap anon heap pages ${ACC}\nvm1: open dmirror d\nvm1: dmirror d snapshot heap\n`);
add('dmirror migrate of 2^15 pages', `process vm1\nvm1: mmap anon heap pages ${ACC}\nvm1: write heap[0] 1\nvm1: open dmirror d\nvm1: dmirror d migrate heap expect ENOENT\n`);
add('ten writes of 2^15 pages', `memory ${2 ** 20} frames\nprocess vm1\nvm1: mmap anon heap pages ${ACC * 10}\n` +
  Array.from({ length: 10 }, (_, i) => `vm1: write heap[${i * ACC}..${(i + 1) * ACC}] ${i}\n`).join(''));
add('madvise willneed of a 2^25-page file mapping', `process vm1\nfile f pages ${MAXMAP}\nvm1: mmap file m f pages ${MAXMAP}\nvm1: madvise m willneed\n`);
add('explore over a 20M-page mirror view', big() + 'process intro\nintro: open mirror m of vm1\n' +
  `intro: mmap m view pages ${BIG} target vm1.heap[0]\nexplore {\n  t1 = intro: read view[0]\n  t2 = kernel: reclaim vm1.heap[0]\n}\nexpect always coherent m\n`);
add('kernel statements over a 20M-page mirror view', big() + 'process intro\nintro: open mirror m of vm1\n' +
  `intro: mmap m view pages ${BIG} target vm1.heap[0]\nintro: read view[0] expect 1\nkernel: reclaim intro.view\nkernel: migrate vm1.heap\nintro: read view[0] expect 1\nvm1: exit\n`);
add('shared 20M-page region', `process vm1\nvm1: mmap anon heap pages ${BIG} shared\nvm1: write heap[0] 1\nvm1: write heap[${BIG - 1}] 2\nvm1: fork c\nkernel: reclaim vm1.heap\nvm1: madvise heap willneed\nc: read heap[${BIG - 1}] expect 2\nvm1: munmap heap\n`);
add('mmap beyond the address space', `process vm1\nvm1: mmap anon heap pages ${2 ** 40}\n`);
add('mmap beyond the address space expect ENOMEM', `process vm1\nvm1: mmap anon heap pages ${2 ** 40} expect ENOMEM\n`);
add('mmap of 2^36 pages (the whole user space)', `process vm1\nvm1: mmap anon heap pages ${2 ** 36}\n`);
add('mmap at the top of the address space', 'process vm1\nvm1: mmap anon heap pages 2 at 0x7ffffffff000\n');
add('mmap at beyond 2^48', 'process vm1\nvm1: mmap anon heap pages 1 at 0x1000000000000\n');
add('mmap at beyond 2^53', 'process vm1\nvm1: mmap anon heap pages 1 at 0x7ffffffffffff000\n');
add('mmap at unaligned', 'process vm1\nvm1: mmap anon heap pages 1 at 0x7f0000000001\n');

add('swap 2^53-1 slots', 'swap 9007199254740991 slots\nmemory 4 frames\nprocess vm1\nvm1: mmap anon heap pages 8\nvm1: write heap 1\nkernel: reclaim vm1.heap\n');
add('swap 2^53 slots', 'swap 9007199254740992 slots\n');
add('memory 2^53-1 frames', 'memory 9007199254740991 frames\nprocess vm1\nvm1: mmap anon heap pages 8\nvm1: write heap 1\n');
add('memory 2^31 frames', 'memory 2147483648 frames\nprocess vm1\nvm1: mmap anon heap pages 8\nvm1: write heap 1\n');
add('memory 0 frames', 'memory 0 frames\n');
add('memory -1 frames', 'memory -1 frames\n');
add('file of 1e9 pages, 4 touched', 'process vm1\nfile f pages 1000000000\n' +
  'vm1: mmap file m f pages 1000000000\nvm1: read m[0] expect "f:0"\nvm1: read m[1] expect "f:1"\n' +
  'vm1: read m[999999998] expect "f:999999998"\nvm1: read m[999999999] expect "f:999999999"\nvm1: munmap m\n');
add('file of 2^53-1 pages', 'process vm1\nfile f pages 9007199254740991\nvm1: mmap file m f pages 4\nvm1: read m[0] expect "f:0"\n');
add('file offset far', 'process vm1\nfile f pages 1000000000\nvm1: mmap file m f offset 999999990 pages 10\nvm1: read m[9] expect "f:999999999"\n');
add('file of 0 pages', 'file f pages 0\n');

add('page index out of range by far', 'process vm1\nvm1: mmap anon heap pages 4\nvm1: read heap[9007199254740990]\n');
add('integer above 2^53', 'process vm1\nvm1: mmap anon heap pages 4\nvm1: write heap[0] 9007199254740993\n');
add('0 pages', 'process vm1\nvm1: mmap anon heap pages 0\n');
add('negative pages', 'process vm1\nvm1: mmap anon heap pages -4\n');
add('max-retries huge', 'process vm1\nprocess intro\nvm1: mmap anon heap pages 1\nvm1: write heap[0] 1\n' +
  'intro: open mirror m of vm1 with max-retries=9007199254740991\nintro: mmap m view pages 1 target vm1.heap[0]\nintro: read view[0] expect 1\n');
add('max-retries huge, inverted check', 'process vm1\nprocess intro\nvm1: mmap anon heap pages 1\nvm1: write heap[0] 1\n' +
  'intro: open mirror m of vm1 with check=inverted, max-retries=9007199254740991\nintro: mmap m view pages 1 target vm1.heap[0]\nintro: read view[0] expect SIGBUS\n');
add('max-retries above 2^53', 'process vm1\nprocess intro\nintro: open mirror m of vm1 with max-retries=99999999999999999999\n');
add('reclaim N huge', 'process vm1\nvm1: mmap anon heap pages 4\nvm1: write heap 1\nkernel: reclaim 9007199254740991\n');
add('long string value', `process vm1\nvm1: mmap anon heap pages 2\nvm1: write heap[0] "${'x'.repeat(10_000_000)}"\nvm1: read heap[0]\n`);
add('long string values in many pages', `process vm1\nvm1: mmap anon heap pages 1000\nvm1: write heap "${'y'.repeat(1_000_000)}"\n`);

// Long schedules, long files, many threads.
{
  const n = 5000;
  const lines = ['process vm1', 'vm1: mmap anon heap pages 2', 'race {', '  t1 = vm1: write heap[0] 1', '  t2 = kernel: reclaim vm1.heap[0]', '}'];
  const sched = Array.from({ length: n }, (_, i) => (i % 2 ? 't2' : 't1@fault'));
  lines[lines.length - 1] = '} schedule ' + sched.join(', ');
  add('race schedule of 5000 entries', lines.join('\n'));
}
{
  // A livelocked mirror fault (check=inverted) retries max-retries times: one entry per retry.
  const n = 1000;
  const lines = ['process vm1', 'process intro', 'vm1: mmap anon heap pages 1', 'vm1: write heap[0] 1',
    `intro: open mirror m of vm1 with check=inverted, max-retries=${n}`, 'intro: mmap m view pages 1 target vm1.heap[0]',
    'race {', '  t1 = intro: read view[0] expect SIGBUS', '  t2 = vm1: read heap[0]',
    '} schedule ' + Array.from({ length: n }, (_, i) => `t1@check#${i + 1}`).join(', ') + ', t2', 'expect violation livelock'];
  add('race schedule of 1000 valid entries (livelock, max-retries=1000)', lines.join('\n'));
  lines[9] = '} schedule ' + Array.from({ length: n }, (_, i) => ['begin', 'snapshot', 'lock', 'check'].map((st) => `t1@${st}#${i + 1}`).join(', ')).join(', ') + ', t2';
  add('race schedule of 4000 valid entries (livelock, max-retries=1000)', lines.join('\n'));
}
{
  const n = 50_000;
  const lines = ['process vm1', `vm1: mmap anon heap pages ${n}`];
  for (let i = 0; i < n; i++) lines.push(`vm1: write heap[${i}] ${i}`);
  add('50000 write statements', 'memory 65536 frames\n' + lines.join('\n'));
}
{
  const n = 50_000;
  const lines = ['process vm1', `vm1: mmap anon heap pages ${n}`];
  for (let i = 0; i < n; i++) lines.push(`vm1: write heap[${i}] ${i}`);
  add('50000 write statements in 4096 frames', lines.join('\n'));
}
{
  const n = 20_000;
  const lines = ['process vm1', 'vm1: mmap anon heap pages 1'];
  for (let i = 0; i < n; i++) lines.push(`expect trace {\n  ...\n}`);
  add('20000 expect trace blocks', lines.join('\n'));
}
{
  const n = 5000;
  const lines = [];
  for (let i = 0; i < n; i++) lines.push(`process p${i}`, `p${i}: mmap anon heap pages 1`, `p${i}: write heap[0] ${i}`);
  add('5000 processes', lines.join('\n'));
}
{
  const n = 20_000;
  const lines = ['process vm1'];
  for (let i = 0; i < n; i++) lines.push(`vm1: mmap anon r${i} pages 1`);
  lines.push('vm1: write r19999[0] 1');
  add('20000 mmaps in one process', lines.join('\n'));
}
{
  const n = 5_000;
  const lines = ['process vm1'];
  for (let i = 0; i < n; i++) lines.push(`vm1: mmap anon r${i} pages 1 at 0x${(0x100000000000 + i * 0x2000).toString(16)}`);
  add('5000 mmaps at fixed addresses', lines.join('\n'));
}
{
  const n = 50_000;
  const lines = ['process vm1', 'vm1: mmap anon heap pages 4'];
  for (let i = 0; i < n; i++) lines.push(`vm1: read heap[${i + 4}]`);
  add('50000 static errors', lines.join('\n'));
}
{
  const n = 50_000;
  const lines = ['process vm1', 'vm1: mmap anon heap pages 4'];
  for (let i = 0; i < n; i++) lines.push(`vm1: reed heap[${i + 4}]`);
  add('50000 syntax errors', lines.join('\n'));
}
for (const t of [3, 4, 5, 10, 20]) {
  const lines = ['process vm1', `vm1: mmap anon heap pages ${t}`, 'explore {'];
  for (let i = 0; i < t; i++) lines.push(`  t${i} = vm1: write heap[${i}] ${i}`);
  lines.push('}', 'expect never violation');
  add(`explore with ${t} threads`, lines.join('\n'));
}
for (const t of [5, 10, 20]) {
  const lines = ['process vm1', 'process intro', `vm1: mmap anon heap pages 1`, 'vm1: write heap[0] 1',
    'intro: open mirror m of vm1', 'intro: mmap m view pages 1 target vm1.heap[0]', 'explore {'];
  for (let i = 0; i < t; i++) lines.push(i % 2 ? `  t${i} = kernel: reclaim vm1.heap[0]` : `  t${i} = intro: read view[0]`);
  lines.push('}', 'expect always coherent m');
  add(`explore with ${t} mirror/reclaim threads`, lines.join('\n'));
}
{
  const t = 200;
  const lines = ['process vm1', `vm1: mmap anon heap pages ${t}`, 'race {'];
  for (let i = 0; i < t; i++) lines.push(`  t${i} = vm1: write heap[${i}] ${i}`);
  lines.push('}');
  add('race with 200 threads', lines.join('\n'));
}

const dir = mkdtempSync(join(tmpdir(), 'mmspec-limits-'));
const rows = [];
for (const c of cases) {
  if (only && !c.name.includes(only)) continue;
  const file = join(dir, c.name.replace(/[^A-Za-z0-9]+/g, '-') + '.mms');
  writeFileSync(file, c.text);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--max-old-space-size=2048', join(root, 'bin/mmspec.js'), 'run', file],
    { encoding: 'utf8', timeout, maxBuffer: 64 << 20, env: { ...process.env, FORCE_COLOR: '0' } });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const out = (r.stdout ?? '') + (r.stderr ?? '');
  let verdict;
  if (r.error?.code === 'ETIMEDOUT' || r.signal === 'SIGTERM') verdict = 'TIMEOUT';
  else if (/heap out of memory|Allocation failed|Invalid array length|Maximum call stack/i.test(out)) verdict = 'HEAP';
  else if (/internal error|SimulatorBug|at .*\.js:\d+/i.test(out)) verdict = 'INTERNAL';
  else if (r.status === 0 || r.status === 1 || r.status === 2) verdict = `exit ${r.status}`;
  else verdict = `exit ${r.status} ${r.signal ?? ''}`;
  const msg = out.split('\n').map((l) => l.trim()).filter((l) => l && !/^(PASS|FAIL|\d+ (passed|failed))/.test(l)).slice(0, 2).join(' | ');
  rows.push({ name: c.name, secs, verdict, msg });
  console.log(`${secs.toFixed(2).padStart(7)}s  ${verdict.padEnd(9)} ${c.name}${msg ? '  — ' + msg.slice(0, 160) : ''}`);
}
if (!keep) rmSync(dir, { recursive: true, force: true });
else console.log(`specs kept in ${dir}`);
const bad = rows.filter((r) => !/^exit [012]$/.test(r.verdict) || r.secs > 10);
console.log(`${rows.length} cases, ${bad.length} not ending within 10 s with exit 0/1/2`);
process.exitCode = bad.length ? 1 : 0;
