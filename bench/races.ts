/**
 * Exploration figures for the races of specs/races (run: `node dist/bench/races.js`, or
 * `benchRaces()` from bench/bench.ts): per race, interleavings, distinct states and
 * transitions with every reduction, then without the persistent-set rule and with the
 * strict locals fingerprint, and the cost of threads on different pages as their number grows.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseSpec } from '../src/lang/parse.js';
import { Interpreter } from '../src/run/exec.js';
import { exploreBlock } from '../src/run/concurrent.js';
import type * as A from '../src/lang/ast.js';
import { ExploreLimit } from '../src/sched/explore.js';

interface Row { name: string; mode: string; interleavings: number; states: number; transitions: number; finals: number; ms: number }

/** Runs the first explore block of `source` in the given mode and returns its figures. */
export function exploreFigures(source: string, file: string, mode: { footprints?: boolean; locals?: 'events' | 'observations'; caching?: boolean }): Omit<Row, 'name' | 'mode'> {
  const { spec } = parseSpec(source, file);
  if (!spec) throw new Error(`${file}: does not parse`);
  const it = new Interpreter(spec, source, { trace: false });
  for (const s of spec.statements) {
    if (s.type === 'explore') {
      const r = exploreBlock(it, s as A.Explore, mode);
      return { interleavings: r.stats.interleavings, states: r.stats.states, transitions: r.stats.transitions, finals: r.stats.finals, ms: r.stats.ms };
    }
    it.exec(s);
  }
  throw new Error(`${file}: no explore block`);
}

/** `n` processes, each mirrored by its own device; thread i faults mirror i while reclaim takes page i. */
export function differentPagesSpec(n: number): string {
  const lines = ['spec "threads on different pages"'];
  for (let i = 0; i < n; i++) {
    lines.push(`process vm${i}`, `vm${i}: mmap anon heap pages 1`, `vm${i}: write heap[0] "v${i}"`);
  }
  lines.push('explore {');
  for (let i = 0; i < n; i++) lines.push(`  r${i} = vm${i}: read heap[0] expect "v${i}"`);
  lines.push('}', 'expect always vm0.heap[0] holds "v0"');
  return lines.join('\n') + '\n';
}

/**
 * Figures of a full exploration: the default limit of a spec (--max-states 50,000, 40 steps a
 * state) is for users' runs, not for measuring explorations of known size.
 */
function unbounded(run: () => Omit<Row, 'name' | 'mode'>): Omit<Row, 'name' | 'mode'> {
  const before = process.env.MMSPEC_MAX_STATES;
  process.env.MMSPEC_MAX_STATES = '1000000';
  try {
    return run();
  } finally {
    if (before === undefined) delete process.env.MMSPEC_MAX_STATES; else process.env.MMSPEC_MAX_STATES = before;
  }
}

/** Figures, or a row saying the exploration passed the state bound. */
function bounded(run: () => Omit<Row, 'name' | 'mode'>): Omit<Row, 'name' | 'mode'> {
  const before = process.env.MMSPEC_MAX_STATES;
  process.env.MMSPEC_MAX_STATES = '60000';
  const t0 = Date.now();
  try {
    return run();
  } catch (e) {
    if (!(e instanceof ExploreLimit)) throw e;
    return { interleavings: NaN, states: e.states, transitions: NaN, finals: NaN, ms: Date.now() - t0 };
  } finally {
    if (before === undefined) delete process.env.MMSPEC_MAX_STATES; else process.env.MMSPEC_MAX_STATES = before;
  }
}

export function benchRaces(root = process.cwd()): void {
  const dir = join(root, 'specs', 'races');
  const rows: Row[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.mms')).sort()) {
    const src = readFileSync(join(dir, f), 'utf8');
    if (!src.includes('explore {')) continue;
    const name = f.replace(/\.mms$/, '');
    rows.push({ name, mode: 'all reductions', ...exploreFigures(src, f, {}) });
    rows.push({ name, mode: 'strict locals', ...bounded(() => exploreFigures(src, f, { locals: 'observations' })) });
  }
  // The three-thread race of the targets (too slow for the suite's per-spec time limit).
  const three = readFileSync(join(dir, 'three-threads-fault-reclaim-refault.mms'), 'utf8')
    .replace('t3 = vm1: read heap[0] expect "precious"', 't3 = kernel: migrate vm1.heap[0]')
    .replace(/expect sometimes vm1.heap\[0\] pte (swap|present)\n/g, '');
  rows.push({ name: 'three threads: fault + reclaim + migrate', mode: 'all reductions', ...unbounded(() => exploreFigures(three, 'three', {})) });
  for (const n of [1, 2, 4, 8, 16]) {
    const src = differentPagesSpec(n);
    rows.push({ name: `different pages x${n}`, mode: 'all reductions', ...exploreFigures(src, 'pages', {}) });
    if (n <= 4) rows.push({ name: `different pages x${n}`, mode: 'no persistent sets', ...bounded(() => exploreFigures(src, 'pages', { footprints: false })) });
  }
  // A bounded run that hit its state limit has no totals: shown as "-".
  const w = (s: string | number, n: number) => (typeof s === 'number' && Number.isNaN(s) ? '-' : String(s)).padStart(n);
  console.log(`${'race'.padEnd(44)} ${'mode'.padEnd(20)} ${w('interl.', 9)} ${w('states', 8)} ${w('steps', 9)} ${w('finals', 6)} ${w('ms', 7)} ${w('states/s', 9)}`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(44)} ${r.mode.padEnd(20)} ${w(r.interleavings, 9)} ${w(r.states, 8)} ${w(r.transitions, 9)} ${w(r.finals, 6)} ${w(r.ms, 7)} ${w(Math.round(r.states / Math.max(r.ms, 1) * 1000), 9)}`);
  }
}

if (process.argv[1]?.endsWith('races.js')) benchRaces();
