import type { Kernel } from '../kernel/kernel.js';
import type { CheckerState } from '../kernel/invariants.js';
import { hashText, plainHash, StateHasher } from './statekey.js';
import type { SchedThread } from './thread.js';
import { raiseIfDeadlocked } from './race.js';

/**
 * Exhaustive exploration of the interleavings of a block's threads (spec-language.md §10).
 *
 * The search is a depth-first walk of the tree of schedules. A node is the state after a
 * sequence of transitions (one transition = one step of one thread, see SchedThread).
 * Kernel operations are generators, which cannot be copied, so a node is re-created by
 * replay: a fresh instance at the state before the block (the caller re-runs the spec's
 * prefix), then the path's transitions. The first child of a node continues on the live
 * instance; only siblings pay for a replay. A replay runs untraced and unchecked up to its
 * node (the path's event fingerprints are kept in `obsAt`, what the invariant checker had
 * found broken in `checkAt`), and records and checks from there on.
 *
 * Two reductions, each sound on its own and switchable for the tests:
 *
 * 1. State caching. A node's key is the hash of the shared state (kernel, notifier
 *    bookkeeping and drivers, see statekey.ts) and of each thread's local state. A
 *    generator's locals are invisible, so they are fingerprinted:
 *    - `events` (default): by the thread's position and the events its own transitions
 *      emitted. Sound under the convention that an operation reports in an event every
 *      value it carries from one step to a later one (the mirror's `begin seq=…`,
 *      `snapshot … pfn …`; reclaim's isolated pfn; an allocation's pfn), and a value it
 *      carries across a wait in the Wait's `carries` (mmu_interval_read_begin's sequence).
 *    - `observations` (strict): by the chain of shared-state hashes it saw at the start of
 *      each of its transitions; an operation is deterministic, so its locals are a
 *      function of those. Always sound, merges far fewer states.
 *    A thread not started or finished has no locals. Equal keys have equal futures: a
 *    subtree's endings are memoised and counted again, not re-run. The tests check that
 *    both fingerprints and no caching at all give the same endings and counts.
 *
 * 2. Persistent sets from static footprints. Each thread has a footprint: the resources
 *    (an mm's page tables and locks, a device, the page allocator, …) its statement can
 *    ever touch. Threads whose footprints overlap form components; a thread in another
 *    component can neither change nor observe a component's state, nor release a lock it
 *    waits for. So at each node only the enabled threads of one component (the component
 *    of the lowest-numbered enabled thread) need to be tried. This preserves every final
 *    state and, because every invariant of the checker concerns resources of one
 *    component, every violation; it does not preserve the number of interleavings, which
 *    is reported for the reduced tree.
 */

/** A fresh copy of the system at the state before the block. */
export interface Instance {
  readonly k: Kernel;
  readonly threads: readonly SchedThread[];
  /** Canonical text of the shared state (kernel and drivers). */
  stateText(): string;
  /** The shared state's hash without its text: equal exactly when hashText(stateText()) is (up to collisions). */
  stateHash?(): number;
  /** Records kernel events from now on, or stops (replays run untraced up to their node). */
  setTracing?(on: boolean): void;
}

export interface ExploreOptions<F, I extends Instance = Instance> {
  fresh(trace: boolean): I;
  /** Judges a final state (called once per distinct final shared state). */
  judge(inst: I): F;
  /** Static footprints per thread, for persistent sets; undefined: no reduction. */
  readonly footprints?: readonly ReadonlySet<string>[];
  /** Use state caching (default true). */
  readonly caching?: boolean;
  /**
   * How a thread's local state is fingerprinted (see the file comment): `events` (default)
   * by its position and the events its transitions emitted; `observations` by the chain of
   * shared-state hashes it observed (strict, merges far fewer states).
   */
  readonly locals?: 'events' | 'observations';
  /**
   * Check the invariants along replays too (default false: a replay restores the checker's
   * record saved at its node instead). The tests compare both.
   */
  readonly checkReplays?: boolean;
  /** Stop with ExploreLimit after this many distinct states. */
  readonly maxStates: number;
  /**
   * Stop with ExploreLimit after this many transitions, replays included (default
   * STEPS_PER_STATE × maxStates): with many threads a state costs a long replay, and the
   * state limit alone would come only after minutes. Counted, not timed: deterministic.
   */
  readonly maxTransitions?: number;
  /** Called about once a second with the figures so far, after the first second. */
  progress?(s: ExploreStats): void;
}

/** What one interleaving ended with. */
export interface Ending {
  /** Hash of the final shared state. */
  readonly final: number;
  /** Violation kinds raised along the interleaving, sorted, without repeats. */
  readonly kinds: readonly string[];
  /** The first thread failure (a failed `expect` of a thread's statement). */
  readonly failure?: { readonly thread: number; readonly error: unknown };
  /** How many interleavings end so, and the shortest of them (thread per transition). */
  readonly count: number;
  readonly shortest: readonly number[];
}

export interface ExploreStats {
  interleavings: number;
  states: number;
  transitions: number;
  replays: number;
  finals: number;
  ms: number;
}

export interface ExploreResult<F> {
  readonly endings: readonly Ending[];
  readonly finals: ReadonlyMap<number, F>;
  readonly stats: ExploreStats;
}

/** Transitions the search may run per state of its state limit (see maxTransitions). */
export const STEPS_PER_STATE = 40;

export class ExploreLimit extends Error {
  constructor(readonly states: number, readonly transitions = 0) { super(`explore: stopped after ${states} states`); }
}

/**
 * A schedule as a list sharing its tail with the child's (a prepend allocates one cell),
 * with its length and context switches kept for `shorter`.
 */
interface Path { readonly c: number; readonly next: Path | undefined; readonly len: number; readonly sw: number }
const cons = (c: number, next: Path | undefined): Path =>
  ({ c, next, len: (next?.len ?? 0) + 1, sw: (next?.sw ?? 0) + (next !== undefined && next.c !== c ? 1 : 0) });
const pathArray = (p: Path | undefined): number[] => { const a: number[] = []; for (; p; p = p.next) a.push(p.c); return a; };
/** `shorter` on paths: fewer switches, then fewer transitions. */
const shorterPath = (a: Path | undefined, b: Path | undefined): boolean => {
  const sa = a?.sw ?? 0, sb = b?.sw ?? 0;
  return sa !== sb ? sa < sb : (a?.len ?? 0) < (b?.len ?? 0);
};

/** An Ending while the search runs: its key in the summary, its schedule as a Path. Owned by one summary. */
interface Partial {
  readonly key: string;
  readonly final: number;
  readonly kinds: readonly string[];
  readonly failure: { readonly thread: number; readonly error: unknown } | undefined;
  count: number;
  path: Path | undefined;
}
type Summary = Map<string, Partial>;

export function explore<F, I extends Instance = Instance>(opts: ExploreOptions<F, I>): ExploreResult<F> {
  const t0 = Date.now();
  let lastProgress = t0;
  const stats: ExploreStats = { interleavings: 0, states: 0, transitions: 0, replays: 0, finals: 0, ms: 0 };
  const memo = new Map<number, Summary>();
  const finals = new Map<number, F>();
  const caching = opts.caching ?? true;
  const maxTransitions = opts.maxTransitions ?? STEPS_PER_STATE * opts.maxStates;
  const byEvents = (opts.locals ?? 'events') === 'events';
  const path: number[] = [];
  /** obs[d]: each thread's observation fingerprint after the first d transitions of `path`. */
  const obsAt: number[][] = [];
  /** checkAt[d]: the invariant checker's record of what is broken after the first d transitions. */
  const checkAt: CheckerState[] = [];

  let inst = opts.fresh(byEvents);
  let obs = inst.threads.map(() => 0);
  obsAt.push([...obs]);
  checkAt.push(inst.k.check.save());

  const replay = (): void => {
    stats.replays++;
    // The path's events are not needed (its fingerprints are in obsAt), nor its checks (its
    // violations were counted when it was first run; what is broken at its end is in
    // checkAt): record and check from the node on.
    inst = opts.fresh(byEvents && !inst.setTracing);
    const check = inst.k.check;
    check.paused = !opts.checkReplays;
    for (const c of path) { inst.threads[c]!.advance(inst.k); stats.transitions++; }
    check.paused = false;
    check.restore(checkAt[path.length]!);
    inst.setTracing?.(byEvents);
    obs = [...obsAt[path.length]!];
  };

  const visit = (): Summary => {
    const g = stateHash(inst);
    const key = caching ? nodeKey(g, inst.threads, obs) : -1;
    if (caching) {
      const hit = memo.get(key);
      if (hit) return hit;
    }
    stats.states++;
    if (stats.states > opts.maxStates || stats.transitions > maxTransitions) throw new ExploreLimit(stats.states - 1, stats.transitions);
    if (opts.progress && (stats.states & 255) === 0) {
      const now = Date.now();
      if (now - t0 > 1000 && now - lastProgress > 1000) { lastProgress = now; stats.ms = now - t0; opts.progress(stats); }
    }
    const summary: Summary = new Map();
    const choices = chooseThreads(inst.threads, opts.footprints);
    if (choices.length === 0) {
      // A leaf: every thread finished, or none can move (deadlock).
      raiseIfDeadlocked(inst.k, inst.threads);
      const kinds = freshKinds(inst.k);
      const fg = kinds.length > 0 ? stateHash(inst) : g;
      if (!finals.has(fg)) finals.set(fg, opts.judge(inst));
      add(summary, { key: endingKey(fg, kinds, undefined), final: fg, kinds, failure: undefined, count: 1, path: undefined });
    }
    choices.forEach((c, i) => {
      if (i > 0) replay();
      const t = inst.threads[c]!;
      const mark = inst.k.events.length;
      if (!byEvents) obs[c] = hashText(`${obs[c]}:${g}`);
      t.advance(inst.k);
      if (byEvents) obs[c] = eventsHash(obs[c]!, inst.k.events, mark);
      stats.transitions++;
      const kinds = freshKinds(inst.k);
      const failure = t.error !== undefined ? { thread: c, error: t.error } : undefined;
      path.push(c);
      obsAt[path.length] = [...obs];
      checkAt[path.length] = inst.k.check.save();
      const child = visit();
      path.pop();
      for (const e of child.values()) {
        const path = cons(c, e.path);
        if (kinds.length === 0 && !failure) {
          add(summary, { key: e.key, final: e.final, kinds: e.kinds, failure: e.failure, count: e.count, path });
          continue;
        }
        const ks = kinds.length ? uniqKinds([...kinds, ...e.kinds]) : e.kinds;
        const f = failure ?? e.failure;
        add(summary, { key: endingKey(e.final, ks, f), final: e.final, kinds: ks, failure: f, count: e.count, path });
      }
    });
    if (caching) memo.set(key, summary);

    return summary;
  };

  const root = visit();
  stats.finals = finals.size;
  stats.ms = Date.now() - t0;
  const endings: Ending[] = [...root.values()].map((e) => ({
    final: e.final, kinds: e.kinds, ...(e.failure ? { failure: e.failure } : {}), count: e.count, shortest: pathArray(e.path),
  }));
  stats.interleavings = endings.reduce((n, e) => n + e.count, 0);
  return { endings, finals, stats };
}

function endingKey(final: number, kinds: readonly string[], failure: Partial['failure']): string {
  return `${final}|${kinds.join(',')}|${failure ? `${failure.thread}:${String(failure.error)}` : ''}`;
}

/** Adds `e` (a fresh object) to the summary being built: a new entry, or merged into the entry of its key. */
const stateHash = (inst: Instance): number => inst.stateHash ? inst.stateHash() : hashText(inst.stateText());

function add(s: Summary, e: Partial): void {
  const old = s.get(e.key);
  if (!old) { s.set(e.key, e); return; }
  old.count += e.count;
  if (shorterPath(e.path, old.path)) old.path = e.path;
}

/** Fewer context switches first (the readable schedule), then fewer transitions. */
export function shorter(a: readonly number[], b: readonly number[]): boolean {
  const sa = switches(a), sb = switches(b);
  return sa !== sb ? sa < sb : a.length < b.length;
}
export function switches(seq: readonly number[]): number {
  let n = 0;
  for (let i = 1; i < seq.length; i++) if (seq[i] !== seq[i - 1]) n++;
  return n;
}

const uniqKinds = (ks: readonly string[]): string[] => [...new Set(ks)].sort();
const NO_KINDS: readonly string[] = Object.freeze([]);
/** The kinds of the violations raised since the last call (uniqKinds), without allocating when none. */
function freshKinds(k: Kernel): readonly string[] {
  const f = k.check.takeFresh();
  return f.length === 0 ? NO_KINDS : uniqKinds(f.map((v) => v.kind));
}

/** A thread's events fingerprint `prev` extended with the events of its transition (from `mark` on). */
function eventsHash(prev: number, events: readonly unknown[], mark: number): number {
  const h = new StateHasher();
  h.num(prev);
  h.num(events.length - mark);
  for (let i = mark; i < events.length; i++) plainHash(events[i], h);
  return h.done();
}

/** Shared-state hash plus each thread's local fingerprint (see the file comment). */
function nodeKey(g: number, threads: readonly SchedThread[], obs: readonly number[]): number {
  const h = new StateHasher();
  h.num(g);
  for (let i = 0; i < threads.length; i++) {
    const t = threads[i]!;
    if (t.done) h.num(-1);
    else if (t.transitions === 0) h.num(-2);
    else {
      h.num(t.transitions);
      h.num(obs[i]!);
      // A value carried across the wait the thread is in (see Wait.carries).
      if (t.wait?.carries !== undefined) h.num(t.wait.carries);
    }
  }
  return h.done();
}

/**
 * The threads to try at a node: the enabled threads of the footprint component of the
 * first enabled thread (all enabled threads without footprints).
 */
export function chooseThreads(threads: readonly SchedThread[], footprints?: readonly ReadonlySet<string>[]): number[] {
  const enabled = threads.filter((t) => t.enabled).map((t) => t.index);
  if (!footprints || enabled.length <= 1) return enabled;
  const live = threads.filter((t) => !t.done).map((t) => t.index);
  const comp = new Set<number>([enabled[0]!]);
  for (let grew = true; grew;) {
    grew = false;
    for (const i of live) {
      if (comp.has(i)) continue;
      if ([...comp].some((j) => overlaps(footprints[i]!, footprints[j]!))) { comp.add(i); grew = true; }
    }
  }
  return enabled.filter((i) => comp.has(i));
}

function overlaps(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.has('*') || b.has('*')) return true;
  for (const x of a) if (b.has(x)) return true;
  return false;
}

