/**
 * The kernel's hot paths at scale (issue 3): 262,144 pages (1 GiB) of anonymous memory
 *   (a) write-faulted in, (b) reclaimed to swap with a classic MMU-notifier subscriber on
 *   the mm, (c) swapped back in by reading.
 * Invariants on, trace off. Prints ns per page event and heap bytes per mapped page.
 * Run: npm run bench (node --expose-gc dist/bench/bench.js)
 */
import { Kernel } from '../src/kernel/kernel.js';
import { doMmap } from '../src/kernel/mmap.js';
import { userAccess } from '../src/kernel/fault.js';
import { reclaimRange, shrinkLru } from '../src/kernel/reclaim.js';
import { mmuNotifierRegister, type MmuNotifierOps, type NotifierRange } from '../src/kernel/notifier.js';
import { runToCompletion } from '../src/sched/sequential.js';
import { benchRaces } from './races.js';
import { PAGE_SIZE, KernelError, type Op } from '../src/kernel/types.js';

const PAGES = Number(process.env.BENCH_PAGES ?? 262_144);
const TARGET_NS = 1000;
const TARGET_BYTES = 64;

const gc = (globalThis as { gc?: () => void }).gc;
function heap(): number {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/**
 * Times one phase by the CPU time this process spent (user + system), which is what "on
 * one core" means and is steady when other work shares the machine; wall time beside it.
 */
function time(label: string, events: number, fn: () => void, print: boolean): number {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  fn();
  const wall = Number(process.hrtime.bigint() - t0) / events;
  const c = process.cpuUsage(c0);
  const ns = ((c.user + c.system) * 1000) / events;
  if (print) console.log(`${label.padEnd(44)} ${ns.toFixed(0).padStart(6)} ns/page CPU (${wall.toFixed(0)} wall)`);
  return ns;
}

/**
 * A classic subscriber doing trivial work, as a KVM-like secondary MMU would be. Its
 * callbacks are methods, shared by every instance, as a driver's mmu_notifier_ops is one
 * static table (and as mmspec's own subscribers are written).
 */
class SecondaryMmu implements MmuNotifierOps {
  readonly name = 'bench-subscriber';
  invalidations = 0;
  *invalidateRangeStart(range: NotifierRange): Op<boolean> {
    this.invalidations += (range.end - range.start) / PAGE_SIZE;
    return true;
  }
  *invalidateRangeEnd(): Op<void> {
    this.invalidations++;
  }
}

/** The three phases on a fresh kernel of `pages` pages; prints and judges when `print`. */
function phases(pages: number, print: boolean): { ns: number[]; bytes: number; kernel: Kernel } {
  const k = new Kernel({ frames: pages + 64, swapSlots: pages + 64, trace: false, invariants: true });
  k.directReclaim = shrinkLru;
  const mm = k.createMm(1);
  const sub = new SecondaryMmu();
  mmuNotifierRegister(mm, sub);
  const start = runToCompletion(k, doMmap(k, 1, mm, { len: pages * PAGE_SIZE, prot: { read: true, write: true, exec: false }, shared: false }), 'mmap');
  if (start instanceof KernelError) throw start;
  const addrs: number[] = new Array(pages);
  for (let i = 0; i < pages; i++) addrs[i] = start + i * PAGE_SIZE;
  // What mapping pages costs: measured from the empty mapping (the kernel's fixed-size
  // tables, such as the swap map, are not per mapped page).
  const base = heap();

  if (print) console.log(`mmspec bench: ${pages} pages (${(pages * PAGE_SIZE) / 2 ** 30} GiB), invariants on, trace off, after two warm-up runs`);
  const results: number[] = [];
  results.push(time('(a) anonymous write faults', pages, () => {
    for (let i = 0; i < pages; i++) {
      const r = runToCompletion(k, userAccess(k, 1, mm, addrs[i]!, true, i), 'write');
      if (r.signal) throw new Error(`bench: write ${i}: ${r.signal.reason}`);
    }
  }, print));
  const mapped = heap();
  const perPage = (mapped - base) / pages;

  results.push(time('(b) reclaim to swap, notifier subscriber', pages, () => {
    runToCompletion(k, reclaimRange(k, 1_000_000, mm, addrs), 'reclaim');
  }, print));
  if (k.swap.used !== pages) throw new Error(`bench: ${k.swap.used} slots used after reclaim, expected ${pages}`);
  if (sub.invalidations !== 2 * pages) throw new Error(`bench: ${sub.invalidations} callbacks, expected ${2 * pages}`);

  results.push(time('(c) swap-in by reading', pages, () => {
    for (let i = 0; i < pages; i++) {
      const r = runToCompletion(k, userAccess(k, 1, mm, addrs[i]!, false), 'read');
      if (r.value !== i) throw new Error(`bench: page ${i} reads ${String(r.value)} after swap-in`);
    }
  }, print));
  if (k.check.broken.length > 0) throw new Error(`bench: violations: ${k.check.broken.map((v) => v.detail).join('; ')}`);

  if (print) console.log(`${'heap per mapped page'.padEnd(44)} ${perPage.toFixed(1).padStart(6)} bytes`);
  return { ns: results, bytes: perPage, kernel: k };
}

/** The last warm-up run's kernel, kept alive to the end (see main). */
export let warmKernel: Kernel | undefined;

function main(): void {
  if (!gc) console.log('(run with --expose-gc for exact heap figures)');
  // Warm-up: two full-size runs whose figures are not reported, so that the JIT has
  // compiled the hot paths for what the measured runs meet, as any steady-state measurement
  // does (after one, the first measured reclaim still spent ~90 ns per page of compiler-
  // thread CPU: --trace-opt shows the recompilations). A kernel stays alive to the end:
  // V8 forgets an object shape (and deoptimizes the code compiled for it) when a full GC
  // finds no object of that shape left, and heap() forces full GCs at moments when,
  // without it, no PTE page exists. The JIT would then compile the hot paths again during
  // every measured run, on its own threads, which CPU time counts.
  phases(PAGES, false);
  warmKernel = phases(PAGES, false).kernel;
  // The machine is a shared VM whose speed drifts from run to run: three measured runs,
  // each printed, and the verdict taken on the median of each figure.
  const runs = [phases(PAGES, true), phases(PAGES, true), phases(PAGES, true)];
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const labels = ['(a) anonymous write faults', '(b) reclaim to swap, notifier subscriber', '(c) swap-in by reading'];
  console.log('median of 3 runs:');
  let ok = true;
  labels.forEach((label, i) => {
    const ns = median(runs.map((r) => r.ns[i]!));
    ok &&= ns <= TARGET_NS;
    console.log(`  ${label.padEnd(42)} ${ns.toFixed(0).padStart(6)} ns/page CPU  ${ns <= TARGET_NS ? 'ok' : 'OVER TARGET'} (≤ ${TARGET_NS})`);
  });
  const bytes = median(runs.map((r) => r.bytes));
  ok &&= bytes <= TARGET_BYTES;
  console.log(`  ${'heap per mapped page'.padEnd(42)} ${bytes.toFixed(1).padStart(6)} bytes    ${bytes <= TARGET_BYTES ? 'ok' : 'OVER TARGET'} (≤ ${TARGET_BYTES})`);
  if (!ok) process.exitCode = 1;
  console.log('');
  benchRaces();
}

main();
