/**
 * mmspec's limits: the sizes a run can hold in memory and finish within seconds. A spec
 * beyond one is bad input, reported at the number (docs/language.md, "Limits"); within
 * them, work is proportional to what a spec touches, not to the sizes it declares.
 */
import type { SpecFile, Value } from './ast.js';
import type { Report } from './check.js';

/**
 * `memory N frames` and `swap N slots`: a pfn or swap slot must fit the page table's 31-bit
 * entries. Frames and slots are allocated lowest first and their tables grow with use, so a
 * large machine costs only what the spec uses. (Linux bounds a swap device too: swap_map has
 * at most UINT_MAX entries, and swp_offset has its bits.)
 */
export const MAX_FRAMES = 2 ** 31 - 1;
export const MAX_SWAP_SLOTS = 2 ** 31 - 1;

/**
 * Pages of one mapping (`mmap … pages N`, 128 GiB): whole-range operations (munmap,
 * mprotect, madvise, kernel RANGE statements, fork, exit) walk a mapping's page-table slots.
 * A mapping that expects an errno is exempt: `mmap … pages 68719476736 expect ENOMEM` tests
 * Linux's refusal of a mapping larger than the address space.
 */
export const MAX_MAP_PAGES = 2 ** 25;

/**
 * Pages one statement reads, writes or checks page by page (128 MiB): `read`, `write`,
 * `dmirror` commands and `expect … pte|holds|page` over a range.
 */
export const MAX_ACCESS_PAGES = 2 ** 15;

/**
 * Events of one run's trace (page faults, PTE changes, allocations, …): the measure of the
 * work a spec does, whatever statements do it. A run that would record more stops with bad
 * input at the statement that went past it (src/run/exec.ts): a golden of that size could
 * not be read anyway.
 */
export const MAX_EVENTS = 2 ** 18;

/** `max-retries=N` of a mirror: each retry is a full fault round with its events. */
export const MAX_RETRIES = 1000;

/** Characters of a string value: a page holds 4 KiB. */
export const MAX_STRING = 4096;

/** Threads of one `race` or `explore` block. */
export const MAX_THREADS = 64;

/**
 * `explore max-states N`: the most a spec may ask for one block (the default is 50,000;
 * src/run/concurrent.ts). Every state visited is kept for the search's cache, so this bounds
 * its memory; `--max-states` on the command line may go beyond it.
 */
export const MAX_EXPLORE_STATES = 2_000_000;

/** Entries of one `race` schedule. */
export const MAX_SCHEDULE = 100_000;

/** `memory`, `swap`, string values, thread and schedule counts. */
export function checkLimits(spec: SpecFile, report: Report): void {
  for (const stmt of spec.statements) {
    if (stmt.type === 'memory' && stmt.frames.value > MAX_FRAMES) {
      report(stmt.frames, `memory of ${stmt.frames.raw} frames is beyond mmspec's limit of ${MAX_FRAMES} frames`);
    }
    if (stmt.type === 'swap' && stmt.slots.value > MAX_SWAP_SLOTS) {
      report(stmt.slots, `swap of ${stmt.slots.raw} slots is beyond mmspec's limit of ${MAX_SWAP_SLOTS} slots`);
    }
    if (stmt.type === 'race' || stmt.type === 'explore') {
      if (stmt.threads.length > MAX_THREADS) {
        report(stmt.threads[MAX_THREADS]!.name, `${stmt.type === 'explore' ? 'an' : 'a'} ${stmt.type} block of ${stmt.threads.length} threads is beyond mmspec's limit of ${MAX_THREADS} threads`);
      }
      if (stmt.type === 'explore' && stmt.maxStates !== undefined) {
        const n = stmt.maxStates;
        if (n.value < 1) report(n, 'max-states needs at least 1 state');
        else if (n.value > MAX_EXPLORE_STATES) report(n, `max-states ${n.raw} is beyond mmspec's limit of ${MAX_EXPLORE_STATES} states for one explore block (--max-states on the command line may go further)`);
      }
      if (stmt.type === 'race' && stmt.schedule.length > MAX_SCHEDULE) {
        report(stmt.schedule[MAX_SCHEDULE]!, `a schedule of ${stmt.schedule.length} entries is beyond mmspec's limit of ${MAX_SCHEDULE} entries`);
      }
    }
    for (const v of valuesOf(stmt)) {
      if (typeof v.value === 'string' && v.value.length > MAX_STRING) {
        report(v, `a string of ${v.value.length} characters is beyond mmspec's limit of ${MAX_STRING} characters (a page holds 4 KiB)`);
      }
    }
  }
}

/** Every page value a statement writes or expects, blocks included. */
function* valuesOf(node: unknown): Generator<Value> {
  if (typeof node !== 'object' || node === null) return;
  if (Array.isArray(node)) {
    for (const n of node) yield* valuesOf(n);
    return;
  }
  const o = node as { type?: string; loc?: unknown };
  if (o.type === 'value') {
    yield o as Value;
    return;
  }
  for (const [key, v] of Object.entries(o)) if (key !== 'loc' && typeof v === 'object') yield* valuesOf(v);
}
