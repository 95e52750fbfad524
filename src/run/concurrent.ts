import type * as A from '../lang/ast.js';
import { isPresent, PTE_PROTNONE, PTE_WRITE } from '../kernel/pte.js';
import { bug, type Op } from '../kernel/types.js';
import { SchedThread } from '../sched/thread.js';
import { runSchedule, runRest, ScheduleError } from '../sched/race.js';
import { explore, shorter, ExploreLimit, STEPS_PER_STATE, type Ending, type Instance, type ExploreStats, type ExploreResult } from '../sched/explore.js';
import { kernelStateText, kernelStateHash, objectText } from '../sched/statekey.js';
import { Interpreter, SpecFailure, SpecBadInput } from './exec.js';
import { checkExpectation } from './expect.js';
import { renderEvent } from './trace.js';
import { MirrorHandle } from './devices.js';
import { processesNamed } from '../lang/resolve.js';

/** Task ids of a block's threads: one per thread, distinct from pids and KERNEL_TASK. */
export const THREAD_TASK_BASE = 100;


/**
 * Distinct states one explore block may visit: `--max-states` (MMSPEC_MAX_STATES) if given,
 * else the block's own `explore max-states N` (v1.1), else 50,000.
 */
export function maxStates(s?: A.Explore): number {
  const v = Number(process.env.MMSPEC_MAX_STATES);
  if (Number.isFinite(v) && v > 0) return v;
  return s?.maxStates?.value ?? 50_000;
}

/** Where the limit of block `s` comes from, for the message when it is reached. */
function limitSource(s: A.Explore): string {
  const v = Number(process.env.MMSPEC_MAX_STATES);
  return !(Number.isFinite(v) && v > 0) && s.maxStates !== undefined ? 'max-states' : '--max-states';
}

/** `race` and `explore` blocks (spec-language.md §10). */
export function execConcurrent(it: Interpreter, s: A.Race | A.Explore): void {
  if (s.type === 'race') return execRace(it, s);
  if (it.replica) return declarationOrder(it, s);
  return execExplore(it, s);
}

function makeThreads(it: Interpreter, s: A.Race | A.Explore): SchedThread[] {
  it.threadResults = new Map();
  const judged = judgedThreads(it, s);
  return s.threads.map((t, i) => new SchedThread(i, t.name.name, THREAD_TASK_BASE + i,
    withResult(it, t.name.name, t.stmt, judged.has(t.name.name), it.threadOp(t.stmt, THREAD_TASK_BASE + i))));
}

/**
 * The threads whose result is judged (v1.1): named by an outcome of the explore block, or by
 * an `expect THREAD …` among the expectations right after the race block.
 */
export function judgedThreads(it: Interpreter, s: A.Race | A.Explore): Set<string> {
  const out = new Set<string>();
  if (s.type === 'explore') {
    for (const o of s.outcomes) if (o.cond.type === 'expectThread') out.add(o.cond.thread.name);
    return out;
  }
  const all = it.spec.statements;
  for (let i = all.indexOf(s) + 1; i < all.length && all[i]!.type.startsWith('expect'); i++) {
    const x = all[i]!;
    if (x.type === 'expectThread') out.add(x.thread.name);
  }
  return out;
}

/** Whether a thread statement carries its own `expect` clause. */
function hasExpectClause(s: A.ThreadStmt): boolean {
  return 'expectErrno' in s || 'expectSignal' in s || 'expectValue' in s || 'expectValues' in s || 'expectPerms' in s;
}

/**
 * Runs a thread's operation step by step and records its result in it.threadResults: `ok`,
 * the signal or errno it ended in, and the values it read (Interpreter.opResult/opReads, set
 * during the step). A thread whose result is judged and whose statement has no `expect` of
 * its own does not fail the spec by a signal or an errno: that is its result, which the
 * outcomes judge. Otherwise a failure stays a failure, as before v1.1.
 */
function* withResult(it: Interpreter, name: string, s: A.ThreadStmt, judged: boolean, op: Op<void>): Op<void> {
  const reads: (string | number)[] = [];
  let result: string | undefined;
  for (;;) {
    it.opResult = undefined;
    it.opReads = [];
    let n: IteratorResult<unknown, void>;
    try {
      n = op.next();
    } catch (e) {
      const r = it.opResult;
      reads.push(...it.opReads);
      if (r !== undefined && e instanceof SpecFailure && judged && !hasExpectClause(s)) {
        it.threadResults.set(name, { result: r, reads });
        return;
      }
      throw e;
    }
    if (it.opResult !== undefined) result = it.opResult;
    reads.push(...it.opReads);
    if (n.done) {
      it.threadResults.set(name, { result: result ?? 'ok', reads });
      return;
    }
    yield n.value as never;
  }
}

/** The judged threads' results, for the state key: a finished thread has no other locals. */
function resultsText(it: Interpreter, judged: ReadonlySet<string>): string {
  if (judged.size === 0) return '';
  let out = 'results\n';
  for (const n of [...judged].sort()) {
    const r = it.threadResults.get(n);
    if (r) out += `${n} ${r.result} ${r.reads.map((v) => JSON.stringify(v)).join(',')}\n`;
  }
  return out;
}

function execRace(it: Interpreter, s: A.Race): void {
  const threads = makeThreads(it, s);
  const index = new Map(s.threads.map((t, i) => [t.name.name, i]));
  const schedule = s.schedule.map((e) => ({
    thread: index.get(e.thread.name)!,
    ...(e.step ? { step: e.step.name.value } : {}),
    ...(e.step?.occurrence ? { occurrence: e.step.occurrence.value } : {}),
  }));
  try {
    runSchedule(it.k, threads, schedule);
  } catch (e) {
    // A schedule that cannot be run as written is a mistake in the spec (spec-language.md
    // §10, §12): bad input, located at its entry, though only running finds it.
    if (e instanceof ScheduleError) throw new SpecBadInput(s.schedule[e.entry]!.loc, `schedule: ${e.message}`);
    // A thread's failure ends the block there (its other threads never ran their schedule):
    // what follows would run on a state no schedule made, so the run stops (§14).
    if (e instanceof SpecFailure) throw new SpecFailure(e.loc, e.message, e.detail, { ...e.opts, stops: true });
    throw e;
  }
}

/** After an explore block (and in replicas), the state is the one of declaration order. */
function declarationOrder(it: Interpreter, s: A.Explore): void {
  runRest(it.k, makeThreads(it, s));
}

/** The outcome's text as written, without `expect `: `always coherent m`. */
function outcomeText(it: Interpreter, o: A.Outcome): string {
  return it.source.slice(o.loc.offset, o.loc.offset + o.loc.length).replace(/^expect\s+/, '').replace(/\s+/g, ' ').trim();
}

/** A copy of the world at the start of block `s`: the spec's statements before it, re-run untraced. */
/** An exploration's instance with the interpreter of its replica (for judging outcomes). */
interface ReplicaInstance extends Instance { readonly it: Interpreter }

function replicaFactory(it: Interpreter, s: A.Explore): (trace: boolean) => { inst: ReplicaInstance; it: Interpreter; mark: number } {
  const at = it.spec.statements.indexOf(s);
  const prefix = it.spec.statements.slice(0, at).filter((x) => !x.type.startsWith('expect'));
  return (trace) => {
    // The prefix runs untraced (its events are nobody's: the block's start at `mark`).
    const r = new Interpreter(it.spec, it.source, { trace: false });
    r.replica = true;
    for (const st of prefix) { r.exec(st); r.noteKills(st); }
    r.k.check.takeFresh();
    setTracing(r.k, trace);
    const mark = r.k.events.length;
    const threads = makeThreads(r, s);
    const judged = judgedThreads(r, s);
    const inst: ReplicaInstance = {
      it: r, k: r.k, threads,
      stateText: () => kernelStateText(r.k, devicesText(r) + resultsText(r, judged)),
      stateHash: () => kernelStateHash(r.k, devicesText(r) + resultsText(r, judged)),
      setTracing: (on) => setTracing(r.k, on),
    };
    return { inst, it: r, mark };
  };
}

/**
 * Turns event recording on or off. Events are observations only (no operation reads them;
 * the kernel tests the flag each time it would emit), so a replica may record from any point.
 */
function setTracing(k: Interpreter['k'], on: boolean): void {
  (k.config as { trace: boolean }).trace = on;
}

function devicesText(it: Interpreter): string {
  let out = '';
  // The handle's driver state; its processes (names, regions) are the world's, not state.
  for (const d of it.w.devices.values()) {
    // A mirror's state is its device's (the handle's other values are processes).
    if (d instanceof MirrorHandle) { out += `${d.name}${d.dev.stateText()}\n`; continue; }
    out += `${d.name}${objectText(Object.values(d).filter((v) => typeof v === 'object' && v !== null && !('regions' in v)))}\n`;
  }
  return out;
}

/** Which reductions an exploration uses (all by default; the tests and the bench switch them). */
export interface ExploreMode {
  readonly footprints?: boolean;
  readonly locals?: 'events' | 'observations';
  readonly caching?: boolean;
  readonly checkReplays?: boolean;
}

/** Explores block `s` from the interpreter's current state (which it leaves unchanged). */
export function exploreBlock(it: Interpreter, s: A.Explore, mode: ExploreMode = {}): ExploreResult<boolean[]> {
  const factory = replicaFactory(it, s);
  const conds = s.outcomes.map((o) => o.cond);
  let progressShown = false;
  const tty = process.stderr.isTTY === true;
  try {
    return explore<boolean[], ReplicaInstance>({
      fresh: (trace) => factory(trace).inst,
      judge: (inst) => conds.map((c) => c.type === 'expectViolation' ? false : checkExpectation(inst.it, c).ok),
      ...(mode.footprints === false ? {} : { footprints: footprints(it, s) }),
      ...(mode.locals ? { locals: mode.locals } : {}),
      ...(mode.caching === false ? { caching: false } : {}),
      ...(mode.checkReplays ? { checkReplays: true } : {}),
      maxStates: maxStates(s),
      ...(tty ? { progress: (st: ExploreStats) => {
        progressShown = true;
        process.stderr.write(`\r  explore L${s.loc.line}: ${st.states} states, ${st.transitions} steps, ${(st.ms / 1000).toFixed(1)}s`);
      } } : {}),
    });
  } finally {
    if (progressShown) process.stderr.write('\r\x1b[K');
  }
}

function execExplore(it: Interpreter, s: A.Explore): void {
  const factory = replicaFactory(it, s);
  const conds = s.outcomes.map((o) => o.cond);
  let result;
  try {
    result = exploreBlock(it, s);
  } catch (e) {
    if (e instanceof ExploreLimit) {
      const limit = maxStates(s);
      const src = limitSource(s);
      throw new SpecFailure(s.loc, `explore stopped after ${e.states} distinct states and ${e.transitions} steps (${src} ${limit} ` +
        `allows ${limit} states and ${STEPS_PER_STATE * limit} steps): the result would be incomplete; raise ${src === 'max-states' ? "the block's max-states" : src} or make the block smaller`,
        undefined, { stops: true });
    }
    throw e;
  }
  const { endings, finals, stats } = result;
  const total = stats.interleavings;
  const note = (what: string) => it.k.emit({ e: 'sched', thread: 'explore', what });
  note(`: ${total} interleavings, ${stats.finals} distinct final states`);


  const witness = (e: Ending): string => witnessText(factory, s, e);
  const pick = (pred: (e: Ending) => boolean) => {
    const hits = endings.filter(pred);
    const count = hits.reduce((n, e) => n + e.count, 0);
    const shortest = hits.reduce<Ending | undefined>((b, e) => (!b || shorter(e.shortest, b.shortest) ? e : b), undefined);
    return { count, shortest };
  };

  // A thread whose own statement failed in some interleaving fails the block.
  const failed = pick((e) => e.failure !== undefined);
  if (failed.shortest) {
    const f = failed.shortest.failure!;
    const err = f.error;
    if (!(err instanceof SpecFailure)) throw err;
    // The block's state after it (declaration order) may be one where the thread failed too.
    throw new SpecFailure(err.loc, `${s.threads[f.thread]!.name.name} fails in ${failed.count}/${total} interleavings: ${err.message}`,
      witness(failed.shortest), { stops: true });
  }
  // Violations no outcome speaks of fail the block, as after any statement. An outcome
  // naming a violation covers every violation raised in the interleavings it matched, as
  // `expect violation` covers all of its statement's (spec-language.md §10).
  const covered = conds.filter((c): c is A.ExpectViolation => c.type === 'expectViolation');
  const raised = (c: A.ExpectViolation, e: Ending) => (c.kinds.length > 0 ? c.kinds.every((k) => e.kinds.includes(k.value)) : e.kinds.length > 0);
  const matched = (e: Ending) => covered.some((c) => raised(c, e));
  const stray = pick((e) => e.kinds.length > 0 && !matched(e));
  if (stray.shortest) {
    const kind = stray.shortest.kinds[0]!;
    it.fail(new SpecFailure(s.loc, `violation ${kind} in ${stray.count}/${total} interleavings, and no outcome expects it`,
      witness(stray.shortest)));
  }
  const holds = (j: number, e: Ending): boolean => {
    const c = conds[j]!;
    if (c.type === 'expectViolation') return raised(c, e);
    return finals.get(e.final)![j]!;
  };
  s.outcomes.forEach((o, j) => {
    const yes = pick((e) => holds(j, e));
    const ok = o.quantifier === 'always' ? yes.count === total : o.quantifier === 'sometimes' ? yes.count > 0 : yes.count === 0;
    const text = outcomeText(it, o);
    note(`: ${text}: ${ok ? 'ok' : 'FAILED'} (${yes.count}/${total})`);
    if (ok) return;
    // Each failed outcome is a failure at its line; the others are still judged (§14).
    if (o.quantifier === 'sometimes') {
      it.fail(new SpecFailure(o.loc, `${text}: holds in none of the ${total} interleavings`));
      return;
    }
    const bad = o.quantifier === 'always' ? pick((e) => !holds(j, e)) : yes;
    it.fail(new SpecFailure(o.loc, `${text}: fails in ${o.quantifier === 'always' ? bad.count : yes.count}/${total} interleavings`,
      witness(bad.shortest!)));
  });
  declarationOrder(it, s);
  // Violations of declaration order were judged with the other interleavings.
  it.k.check.takeFresh();
}

/**
 * The paste-able schedule of an interleaving and its full trace. Consecutive transitions
 * of one thread are one entry; a run that ended blocked is folded into the thread's
 * previous named step (the schedule language cannot stop a thread at a lock attempt).
 */
function witnessText(factory: ReturnType<typeof replicaFactory>, s: A.Explore, e: Ending): string {
  const { inst, it, mark } = factory(true);
  const entries: string[] = [];
  let i = 0;
  const seq = e.shortest;
  while (i < seq.length) {
    const c = seq[i]!;
    const t = inst.threads[c]!;
    let lastNamed: string | undefined;
    let end = '';
    for (; i < seq.length && seq[i] === c; i++) {
      // A witness only schedules threads that can run; one that cannot means the search
      // merged two states that differ (a value carried without being reported).
      if (!t.enabled) bug(`witnessText: the shortest schedule runs ${t.name} at transition ${i + 1}, where it cannot run (${t.wait?.wait ?? 'done'})`);
      end = t.advance(inst.k);
      if (end !== 'wait' && end !== 'done' && end !== 'error') lastNamed = end;
    }
    if (end === 'done' || end === 'error') entries.push(t.name);
    else if (end !== 'wait' || lastNamed) entries.push(`${t.name}@${end === 'wait' ? lastNamed : end}`);
  }
  const merged = entries.filter((x, j) => x !== entries[j - 1]);
  const trace = it.k.events.slice(mark).map((ev) => '  ' + renderEvent(it.w, ev));
  void s;
  return `schedule ${merged.join(', ')}\n${trace.join('\n')}`;
}

/**
 * Static footprints of a block's threads for the persistent-set reduction (see
 * src/sched/explore.ts): resource names each thread's statement can ever touch,
 * computed from the state at the start of the block. Conservative: a statement whose
 * reach is hard to bound gets `*`, which overlaps everything.
 *   mm:N     the page tables, VMAs and locks of mm N (and of every mm sharing frames with it)
 *   alloc    the page allocator, LRU and swap (any allocation or free)
 *   dev      the drivers and every mm a driver maps or subscribes to
 */
export function footprints(it: Interpreter, s: A.Explore): ReadonlySet<string>[] {
  const k = it.k;
  // Which mms share frames: pfn → mms mapping it, for the whole machine.
  const mapsOf = new Map<number, Set<number>>();
  const devMms = new Set<number>();
  for (const mm of k.mms.values()) {
    if (mm.notifiers.intervals.length > 0 || mm.notifiers.subs.length > 0) devMms.add(mm.id);
    const mapped = (pfn: number) => {
      let set = mapsOf.get(pfn);
      if (!set) mapsOf.set(pfn, set = new Set());
      set.add(mm.id);
    };
    for (const v of mm.vmas) {
      if (v.ops) devMms.add(mm.id);
      // The populated entries only: a VMA of millions of pages costs what it maps.
      mm.walkPtes(v.start, v.end,
        (base, pmd) => { if (isPresent(pmd.bits) && pmd.pfn !== 0) for (let i = 0; i < 512; i++) mapped(pmd.pfn + i); },
        (_, p) => { if (isPresent(p.bits) && p.pfn !== 0) mapped(p.pfn); });
    }
  }
  const relatives = (id: number): number[] => {
    const out = new Set([id]);
    for (const mms of mapsOf.values()) if (mms.has(id)) for (const m of mms) out.add(m);
    return [...out];
  };
  return s.threads.map((t) => {
    const fp = new Set<string>();
    const st = t.stmt;
    // A process another thread forks does not exist yet: its reach is unknown.
    if (processesNamed(st).some((n) => !it.w.procs.has(n))) return new Set(['*']);
    const addMm = (id: number) => {
      for (const m of relatives(id)) fp.add(`mm:${m}`);
      if (devMms.has(id)) { fp.add('dev'); for (const m of devMms) fp.add(`mm:${m}`); }
    };
    switch (st.type) {
      case 'read': case 'write': {
        const pg = it.pages(st.range, st.actor.name);
        addMm(pg.proc.pid);
        const mm = pg.proc.mm;
        const noFault = pg.addrs.every((a) => {
          const p = mm.pte(a);
          const v = mm.findVma(a);
          return v && !v.ops && isPresent(p.bits) && (p.bits & PTE_PROTNONE) === 0 && (st.type === 'read' || (p.bits & PTE_WRITE) !== 0);
        });
        if (!noFault) fp.add('alloc');
        if (pg.addrs.some((a) => mm.findVma(a)?.file)) fp.add('*');
        break;
      }
      case 'munmap': case 'mprotect': case 'madvise': case 'mremap': case 'mmapAnon': {
        addMm(it.w.proc(st.actor.name).pid);
        fp.add('alloc');
        break;
      }
      case 'kernelReclaim': case 'kernelMigrate': case 'kernelNumaScan': {
        const pg = it.pages(st.range, undefined);
        addMm(pg.proc.pid);
        fp.add('alloc');
        break;
      }
      default:
        fp.add('*');
    }
    return fp;
  });
}
