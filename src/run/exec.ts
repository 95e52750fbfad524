import type * as A from '../lang/ast.js';
import { Kernel, EventLimit } from '../kernel/kernel.js';
import { KernelError, KernelPanic, SimulatorBug, PAGE_SIZE, HPAGE_PMD_SIZE, type Op } from '../kernel/types.js';
import { userAccess } from '../kernel/fault.js';
import { doMmap, doMunmap, type Prot } from '../kernel/mmap.js';
import { doMprotect } from '../kernel/mprotect.js';
import { doMadvise, type Advice } from '../kernel/madvise.js';
import { doMremap } from '../kernel/mremap.js';
import { doFork } from '../kernel/fork.js';
import { doExit } from '../kernel/exit.js';
import { reclaimRange, shrinkLru } from '../kernel/reclaim.js';
import { migrateRange } from '../kernel/migrate.js';
import { compactMemory } from '../kernel/compaction.js';
import { khugepagedScan } from '../kernel/khugepaged.js';
import { ksmMergePair } from '../kernel/ksm.js';
import { changeProtNuma } from '../kernel/numa.js';
import { writebackFile } from '../kernel/writeback.js';
import { oomKill } from '../kernel/oom.js';
import type { Violation } from '../kernel/invariants.js';
import { runToCompletion, TaskHung } from '../sched/sequential.js';
import { processesNamed } from '../lang/resolve.js';
import { World, type Proc, type Region } from './world.js';
import { renderEvent, matchTrace, valueText, foldEvents, placesNamed } from './trace.js';
import { checkExpectation, type Check } from './expect.js';
import { isDmirrorStmt, dmirrorThreadOp } from './dmirror.js';
import { execDeviceStmt, isDeviceStmt, type DeviceStmt } from './devices.js';
import { execConcurrent } from './concurrent.js';
import type { Failure, TraceStep } from './result.js';

/** Statements that run as one kernel operation (process and kernel statements, not devices). */
export type SeqStmt = Exclude<A.ProcessStmt, DeviceStmt> | A.KernelStmt;

/**
 * A device statement as a thread: one atomic step (the driver runs it to its end) until
 * devices.ts offers a generator of its own.
 */
function* deviceThreadOp(it: Interpreter, s: DeviceStmt, task: number): Op<void> {
  if (isDmirrorStmt(it, s)) return yield* dmirrorThreadOp(it, s, task);
  execDeviceStmt(it, s);
}

/** The kernel task id of `kernel:` statements (kswapd, kcompactd, … in one). */
export const KERNEL_TASK = 1_000_000;

/**
 * A failure of the spec at a statement (spec-language.md §14, every failure): it is recorded
 * and the run goes on with the next statement, unless `stops` (a race whose thread failed,
 * an explore that could not finish: what follows would run on a state no schedule made).
 * `process` names a process that can run nothing more (killed, hung, never created): its
 * first such failure is reported, later ones are not (they would only repeat it).
 */
export class SpecFailure extends Error {
  constructor(readonly loc: A.Loc, message: string, readonly detail?: string,
    readonly opts: { readonly stops?: boolean; readonly process?: string } = {}) { super(message); }
}

/**
 * A mistake in the spec that only running it can find (a race schedule that blocks, or
 * names a step its thread never reaches): reported as bad input, not as a failed spec.
 */
export class SpecBadInput extends Error {
  constructor(readonly loc: A.Loc, message: string) { super(message); }
}

/**
 * Resolved pages of a range: the process and `count` pages from `start`. The page addresses
 * are listed only when asked for (`addrs`), by statements that go page by page (at most
 * MAX_ACCESS_PAGES pages, src/lang/limits.ts); whole-range statements use start and count,
 * so that a range of millions of pages costs what its populated pages cost.
 */
export class Pages {
  private list: number[] | undefined;
  constructor(readonly proc: Proc, readonly start: number, readonly count: number) {}
  get end(): number { return this.start + this.count * PAGE_SIZE; }
  /** The page addresses, in address order. */
  get addrs(): readonly number[] {
    if (!this.list) {
      this.list = [];
      for (let i = 0; i < this.count; i++) this.list.push(this.start + i * PAGE_SIZE);
    }
    return this.list;
  }
  /**
   * The addresses of the range that a PTE or a huge PMD maps now (present, swap, migration
   * or device entries), in address order: what a kernel statement can act on.
   */
  populated(): number[] {
    const out: number[] = [];
    const start = this.start, end = this.end;
    this.proc.mm.walkPtes(start, end,
      (base) => { for (let a = Math.max(base, start), hi = Math.min(end, base + HPAGE_PMD_SIZE); a < hi; a += PAGE_SIZE) out.push(a); },
      (addr) => { out.push(addr); });
    return out;
  }
}

export const PROT_OF: Record<string, Prot> = {
  none: { read: false, write: false, exec: false },
  r: { read: true, write: false, exec: false },
  rw: { read: true, write: true, exec: false },
  rx: { read: true, write: false, exec: true },
  rwx: { read: true, write: true, exec: true },
};

/**
 * Executes a checked spec statement by statement against a fresh kernel, recording the
 * events of each statement, the violations it raised, and every failure.
 */
/** A thread's result: `ok`, a signal or an errno, and every value its reads returned. */
export interface ThreadResult { readonly result: string; readonly reads: readonly (string | number)[] }

export class Interpreter {
  readonly k: Kernel;
  readonly w: World;
  readonly steps: TraceStep[] = [];
  /** Every failure of the run, in the order found (spec-language.md §14). */
  readonly failures: Failure[] = [];
  /** The first failure of the last statement that failed (the fuzzer reads and clears it). */
  failure: Failure | undefined;
  /** Set when the run cannot go on (bad input, a kernel panic, a failure that stops). */
  stopped = false;
  /** Processes that can run nothing more and whose first statement after that has failed. */
  private readonly gone = new Set<string>();
  /** A mistake in the spec found while running it (see SpecBadInput). */
  badInput: SpecBadInput | undefined;
  /** Violations raised by the previous statement, not yet consumed by `expect violation`. */
  pending: { stmt: A.Statement; violations: Violation[] } | undefined;
  private eventMark = 0;
  /**
   * What the operation running now ended in, for a thread's result (v1.1): a signal or errno
   * noted where it is judged, and the values its reads returned. concurrent.ts clears them
   * before each step of a thread and collects them after it (a step runs synchronously).
   */
  opResult: string | undefined;
  opReads: (string | number)[] = [];
  /** The results of the threads of the last race/explore run here, by thread name. */
  threadResults = new Map<string, ThreadResult>();
  /** The violations of the last non-expect statement once `expect violation` consumed them. */
  private consumed: { stmt: A.Statement; violations: Violation[] } | undefined;
  /** The events (indices into k.events) of the last statement that is not an expectation. */
  private lastEvents = { from: 0, to: 0 };
  /** Processes whose statement hung in the kernel (a deadlock), with its line. */
  private readonly hung = new Map<string, number>();
  /** The source split into lines, once (a statement's text is looked up after each one). */
  private lines: string[] | undefined;
  private linesOf: string | undefined;
  /**
   * Re-creates the state before an explore block for the exploration (src/run/concurrent.ts):
   * its own explore blocks only run in declaration order.
   */
  replica = false;

  /** Whether each statement's events are rendered into `steps` (the fuzzer reads the events instead). */
  private readonly keepSteps: boolean;

  constructor(readonly spec: A.SpecFile, public source: string, opts: { trace?: boolean; steps?: boolean; eventLimit?: number } = {}) {
    this.keepSteps = opts.steps ?? true;
    let frames = 4096, slots = 4096;
    for (const s of spec.statements) {
      if (s.type === 'memory') frames = s.frames.value;
      if (s.type === 'swap') slots = s.slots.value;
    }
    this.k = new Kernel({
      frames, swapSlots: slots, trace: opts.trace ?? true, invariants: true,
      ...(opts.eventLimit !== undefined ? { eventLimit: opts.eventLimit } : {}),
    });
    this.k.directReclaim = shrinkLru;
    this.w = new World(this.k);
  }

  /** The source text of the statement at `loc` (its first line, comment stripped). */
  private text(loc: A.Loc): string {
    if (this.lines === undefined || this.linesOf !== this.source) { this.lines = this.source.split('\n'); this.linesOf = this.source; }
    const line = this.lines[loc.line - 1] ?? '';
    return stripComment(line).trim();
  }

  /**
   * Runs every statement. A failed expectation changes no simulated state, so the run goes
   * on after it (spec-language.md §14); bad input, a kernel panic or a failure that stops
   * ends it (`stopped`).
   */
  run(): void {
    for (const stmt of this.spec.statements) {
      this.step(stmt);
      if (this.stopped) return;
    }
    // A violation raised by the last statement, with no `expect violation` after it.
    try {
      this.settleViolations(undefined);
    } catch (e) {
      if (!(e instanceof SpecFailure)) throw e;
      this.fail(e);
    }
  }

  /**
   * Records a failure of the statement running now. A process that can run nothing more is
   * reported once in `failures`; the statement has failed all the same (step() returns false).
   */
  fail(e: SpecFailure): void {
    const f: Failure = { line: e.loc.line, col: e.loc.col, message: e.message, ...(e.detail ? { detail: e.detail } : {}) };
    this.stepFailures.push(f);
    if (e.opts.stops) this.stopped = true;
    const gone = e.opts.process;
    if (gone !== undefined) {
      if (this.gone.has(gone)) return;
      this.gone.add(gone);
    }
    this.failures.push(f);
  }

  /** The failures of the statement running now (a repeat of a dead process's included). */
  private stepFailures: Failure[] = [];

  /**
   * Runs one statement of the spec: its pending violations are settled (an unexpected one is
   * a failure at the statement that raised it), it executes, its events are recorded.
   * Returns false when the statement failed or the run stopped there (bad input, a panic);
   * `failure` is then the statement's first failure (or undefined for bad input).
   * run() calls it for each statement; the scenario fuzzer (src/fuzz) calls it as it appends.
   */
  step(stmt: A.Statement): boolean {
    this.stepFailures = [];
    const verdict = (): boolean => {
      if (this.stepFailures.length === 0) return true;
      this.failure = this.stepFailures[0];
      return false;
    };
    try {
      this.settleViolations(stmt);
    } catch (e) {
      if (!(e instanceof SpecFailure)) throw e;
      this.fail(e);
    }
    try {
      this.exec(stmt);
      this.record(stmt);
      return verdict();
    } catch (e) {
      this.record(stmt);
      if (e instanceof SpecFailure) {
        this.fail(e);
        return verdict();
      }
      this.stopped = true;
      if (e instanceof SpecBadInput) {
        this.badInput = e;
        return false;
      }
      if (e instanceof KernelPanic) {
        // Nothing runs after a panic: the spec fails here, whatever it expected.
        const f = { line: stmt.loc.line, col: stmt.loc.col, message: `kernel panic: ${e.message}` };
        this.failures.push(f);
        this.stepFailures.push(f);
        return verdict();
      }
      if (e instanceof EventLimit) {
        this.badInput = new SpecBadInput(stmt.loc, `this statement takes the run past mmspec's limit of ${e.limit} trace events ` +
          '(page faults, PTE changes, allocations…): the spec does more work than a run can hold; make it smaller');
        return false;
      }
      throw e;
    }
  }

  /**
   * After a statement: a process whose mm was torn down has exited, and one the OOM killer
   * killed is remembered with the statement's line, for the message of its next statement.
   */
  noteKills(stmt: A.Statement): void {
    for (const p of this.w.procs.values()) {
      // A victim whose exit the kill left for later (oomKill's deferExit) runs it now: the
      // task's next chance to run ends in do_exit().
      if (p.mm.oomKilled && !p.mm.dead && !this.hung.has(p.name)) {
        try {
          this.runOp(doExit(this.k, p.pid, p.mm), 'exit of an OOM victim');
        } catch (e) {
          // Its exit_mmap() hung in the kernel (the deadlock violation is raised): the task
          // stays in D state and its mm is never torn down.
          if (!(e instanceof TaskHung)) throw e;
          this.hung.set(p.name, stmt.loc.line);
        }
      }
      if (p.mm.dead) p.exited = true;
      if (p.mm.oomKilled && p.killedAt === undefined) p.killedAt = stmt.loc.line;
    }
  }

  /** The process a statement runs as: its actor, or the opener of a dmirror statement's device. */
  actingProc(s: A.Statement): Proc | undefined {
    // A child its hung fork never created has no process yet (exec reports that).
    if ('actor' in s && s.actor) return this.w.procs.get((s.actor as A.Name).name);
    if (s.type === 'dmirrorRead' || s.type === 'dmirrorWrite' || s.type === 'dmirrorSnapshot' || s.type === 'dmirrorMigrate') {
      return this.w.devices.get(s.device.name)?.opener;
    }
    return undefined;
  }

  /**
   * `vm1 was killed by the OOM killer at line 7`. A kill not yet noted happened during the
   * statement running now (`line`) or, for a thread of a race/explore block, in that block.
   */
  killText(p: Proc, line?: number): string {
    const at = p.killedAt ?? line;
    return `${p.name} was killed by the OOM killer ${at !== undefined ? `at line ${at}` : 'during this block'}`;
  }

  /**
   * A statement of a process the OOM killer killed. The task has a fatal signal pending and
   * never returns to user space (Linux: exit_to_user_mode_loop() → do_exit()): it runs no
   * system call and makes no access. A read or write ends in SIGKILL (userAccess reports
   * it, and `expect SIGKILL` accepts it); any other statement fails the spec, naming the kill.
   */
  checkKilled(s: A.Statement): void {
    const p = this.actingProc(s);
    if (!p || !p.mm.oomKilled || s.type === 'read' || s.type === 'write') return;
    this.opResult = 'SIGKILL';
    throw new SpecFailure(s.loc, `${this.killText(p)} (SIGKILL): it runs no more statements`, undefined, { process: p.name });
  }

  private record(stmt: A.Statement): void {
    this.noteKills(stmt);
    const evs = this.k.events;
    const mark = this.eventMark;
    this.eventMark = evs.length;
    // The events of the last statement that is not an expectation, for `expect no event`.
    if (!stmt.type.startsWith('expect')) { this.lastEvents = { from: mark, to: evs.length }; this.consumed = undefined; }
    const fresh = this.k.check.takeFresh();
    if (fresh.length > 0) this.pending = { stmt, violations: fresh };
    if (stmt.type === 'spec' || stmt.type === 'tags' || stmt.type === 'memory' || stmt.type === 'swap') return;
    const expectation = stmt.type.startsWith('expect');
    if (!expectation) this.operations++;
    if (!this.keepSteps) return;
    const events = foldEvents(evs.slice(mark).map((e) => renderEvent(this.w, e)));
    // Expectations only look: they appear in the golden only if something happened.
    if (expectation && events.length === 0) return;
    this.steps.push({ at: stepLabel(expectation ? undefined : this.operations, this.text(stmt.loc)), events });
  }

  /** Statements that act (not header, not expectations) run so far: their number names them in traces. */
  private operations = 0;

  /** Before `next` runs: violations of the previous statement must be expected now. */
  private settleViolations(next: A.Statement | undefined): void {
    const p = this.pending;
    if (!p) return;
    if (next?.type === 'expectViolation') return;
    this.pending = undefined;
    const v = p.violations[0]!;
    throw new SpecFailure(p.stmt.loc, `violation ${v.kind}: ${placesNamed(this.w, v.detail)}`,
      p.violations.length > 1 ? p.violations.slice(1).map((x) => `also violation ${x.kind}: ${placesNamed(this.w, x.detail)}`).join('\n') : undefined);
  }

  /** Drives a kernel operation to its end in the calling statement. */
  runOp<T>(op: Op<T>, what: string): T {
    return runToCompletion(this.k, op, what);
  }

  /**
   * Runs one statement. One that hangs in the kernel (TaskHung: the `deadlock` violation is
   * raised) ends there; its process can run nothing more, as a task stuck in D state.
   */
  exec(s: A.Statement): void {
    this.checkKilled(s);
    const actor = 'actor' in s && s.actor ? (s.actor as A.Name).name : undefined;
    const since = actor === undefined ? undefined : this.hung.get(actor);
    if (since !== undefined) {
      throw new SpecFailure(s.loc, `process ${actor} hangs in the kernel since line ${since} (deadlock): it can run nothing more`,
        undefined, { process: actor });
    }
    // The checks know every name; only a fork that hung leaves its child uncreated.
    const unborn = s.type === 'race' || s.type === 'explore' ? undefined
      : processesNamed(s as A.ThreadStmt).find((n) => !this.w.procs.has(n));
    if (unborn !== undefined) {
      throw new SpecFailure(s.loc, `process ${unborn} does not exist: the fork that creates it hangs in the kernel (deadlock)`,
        undefined, { process: unborn });
    }
    try {
      this.execStatement(s);
    } catch (e) {
      if (!(e instanceof TaskHung)) throw e;
      if (actor !== undefined) this.hung.set(actor, s.loc.line);
    }
  }

  private execStatement(s: A.Statement): void {
    switch (s.type) {
      case 'spec': case 'tags': case 'memory': case 'swap':
        return;
      case 'process':
        this.w.addProcess(s.name.name);
        return;
      case 'file': {
        const n = s.pages.value;
        // Page i holds "NAME:i" unless values are given: computed when read, never stored.
        const name = s.name.name;
        const file = s.values ? this.k.newFile(name, n, s.values.map((v) => v.value), false)
          : this.k.newFile(name, n, [], false, (i) => `${name}:${i}`);
        this.w.files.set(name, file);
        return;
      }
      case 'mmapAnon': case 'mmapFile': case 'read': case 'write': case 'munmap': case 'mprotect': case 'madvise':
      case 'mremap': case 'fork': case 'exit': case 'kernelReclaim': case 'kernelReclaimPages': case 'kernelMigrate':
      case 'kernelCompact': case 'kernelKhugepaged': case 'kernelKsm': case 'kernelNumaScan': case 'kernelWriteback':
      case 'kernelOom':
        return this.runOp(this.stmtOp(s, undefined), this.text(s.loc));
      case 'expectViolation': return this.expectViolation(s);
      case 'expectTrace': return this.expectTrace(s);
      case 'expectNoEvent': return this.expectNoEvent(s);
      case 'expectThread': {
        const r = checkExpectation(this, s);
        if (!r.ok) throw new SpecFailure(s.loc, r.message);
        return;
      }
      case 'expectPte': case 'expectHolds': case 'expectPage': case 'expectCounters': case 'expectCoherent': {
        const r = checkExpectation(this, s);
        if (!r.ok) throw new SpecFailure(s.loc, r.message);
        return;
      }
      case 'race': case 'explore':
        return execConcurrent(this, s);
      default:
        if (isDeviceStmt(s)) return execDeviceStmt(this, s);
        throw new SimulatorBug(`Interpreter.exec: no handler for ${(s as A.Statement).type}`);
    }
  }

  /**
   * A process or kernel statement as one operation: the kernel steps it yields, then its own
   * `expect` checks at its end (throwing SpecFailure). `task` is the lock owner: undefined
   * for a sequential run (the actor's pid, or KERNEL_TASK), a thread's own id in race/explore.
   * Ranges are resolved when the operation takes its first step.
   */
  *stmtOp(s: SeqStmt, task: number | undefined): Op<void> {
    const kt = task ?? KERNEL_TASK;
    switch (s.type) {
      case 'mmapAnon': return yield* this.mmapAnon(s, task);
      case 'mmapFile': return yield* this.mmapFile(s, task);
      case 'read': return yield* this.read(s, task);
      case 'write': return yield* this.write(s, task);
      case 'munmap': {
        const p = this.pages(s.range, s.actor.name);
        this.syscall(s, s.expectErrno, 'munmap', yield* doMunmap(this.k, task ?? p.proc.pid, p.proc.mm, p.start, p.count * PAGE_SIZE));
        return;
      }
      case 'mprotect': {
        const p = this.pages(s.range, s.actor.name);
        this.syscall(s, s.expectErrno, 'mprotect',
          yield* doMprotect(this.k, task ?? p.proc.pid, p.proc.mm, p.start, p.count * PAGE_SIZE, PROT_OF[s.prot.value]!));
        return;
      }
      case 'madvise': {
        const p = this.pages(s.range, s.actor.name);
        this.syscall(s, s.expectErrno, 'madvise',
          yield* doMadvise(this.k, task ?? p.proc.pid, p.proc.mm, p.start, p.count * PAGE_SIZE, s.advice.value as Advice));
        return;
      }
      case 'mremap': return yield* this.mremap(s, task);
      case 'fork': return yield* this.fork(s, task);
      case 'exit': {
        const p = this.w.proc(s.actor.name);
        yield* doExit(this.k, task ?? p.pid, p.mm);
        p.exited = true;
        return;
      }
      case 'kernelReclaim': {
        const p = this.pages(s.range, undefined);
        return yield* reclaimRange(this.k, kt, p.proc.mm, p.populated(), () => p.populated());
      }
      case 'kernelReclaimPages':
        yield* shrinkLru(this.k, s.count.value, kt);
        return;
      case 'kernelMigrate': {
        const p = this.pages(s.range, undefined);
        return yield* migrateRange(this.k, kt, p.proc.mm, p.populated());
      }
      case 'kernelCompact':
        yield* compactMemory(this.k, kt);
        return;
      case 'kernelKhugepaged': {
        const p = this.pages(s.range, undefined);
        yield* khugepagedScan(this.k, kt, p.proc.mm, p.start, p.end);
        return;
      }
      case 'kernelKsm': {
        const a = this.pages(s.first, undefined), b = this.pages(s.second, undefined);
        yield* ksmMergePair(this.k, kt, { mm: a.proc.mm, addr: a.addrs[0]! }, { mm: b.proc.mm, addr: b.addrs[0]! });
        return;
      }
      case 'kernelNumaScan': {
        const p = this.pages(s.range, undefined);
        yield* changeProtNuma(this.k, kt, p.proc.mm, p.start, p.end);
        return;
      }
      case 'kernelWriteback':
        yield* writebackFile(this.k, kt, this.w.files.get(s.file.name)!);
        return;
      case 'kernelOom': {
        const p = this.w.proc(s.process.name);
        yield* oomKill(this.k, kt, p.mm);
        p.exited = true;
        return;
      }
    }
  }

  /**
   * A thread of a race/explore block as an operation with its own task id (src/sched).
   * Device statements run through devices.ts (as one step until it offers a generator).
   */
  threadOp(s: A.ThreadStmt, task: number): Op<void> {
    const op = this.threadBody(s, task);
    const unborn = processesNamed(s).filter((n) => !this.w.procs.has(n));
    return unborn.length > 0 ? this.afterCreated(unborn, op) : op;
  }

  private *threadBody(s: A.ThreadStmt, task: number): Op<void> {
    // Judged when the thread takes its first step: its process may be killed by then.
    this.checkKilled(s);
    if (isDeviceStmt(s)) return yield* deviceThreadOp(this, s, task);
    return yield* this.stmtOp(s as SeqStmt, task);
  }

  /**
   * A thread naming a process that another thread's fork creates waits until the fork has
   * returned: a task cannot run before it is created. It carries nothing across the wait;
   * whether it may go on depends on the forking thread's progress alone.
   * Linux: kernel_clone() → copy_process(), then wake_up_new_task()
   */
  private *afterCreated(names: readonly string[], op: Op<void>): Op<void> {
    for (const n of names) {
      while (!this.w.procs.has(n)) yield { wait: `process ${n} to be created by its fork`, ready: () => this.w.procs.has(n) };
    }
    return yield* op;
  }

  /** Judges a syscall's result against its `expect ERRNO`. */
  syscall(s: A.Statement, expected: A.Word | undefined, call: string, r: unknown): void {
    const actor = 'actor' in s && s.actor ? this.w.proc((s.actor as A.Name).name) : undefined;
    if (r instanceof KernelError) {
      this.opResult = r.errno;
      this.k.emit({ e: 'errno', mm: actor?.pid ?? 0, call, errno: r.errno, reason: r.reason });
      if (expected?.value === r.errno) return;
      if (expected) throw new SpecFailure(s.loc, `${call} failed with ${r.errno} (${r.reason}), but ${expected.value} was expected`);
      throw new SpecFailure(s.loc, `${call} failed with ${r.errno}: ${r.reason}`);
    }
    if (expected) throw new SpecFailure(s.loc, `${call} succeeded, but ${expected.value} was expected`);
  }

  /** Resolves a range to page addresses of a process. `actor` is the acting process, if any. */
  pages(r: A.Range, actor: string | undefined): Pages {
    const procName = r.process?.name ?? actor;
    if (!procName) throw new SimulatorBug('Interpreter.pages: range without a process');
    const proc = this.w.proc(procName);
    if (r.type === 'addressRange') return new Pages(proc, r.address.value, 1);
    const region = proc.regions.get(r.region.name);
    if (!region) throw new SpecFailure(r.loc, `process ${procName} has no region ${r.region.name}`);
    const from = r.slice ? r.slice.start.value : 0;
    const to = r.slice ? (r.slice.end ? r.slice.end.value : from + 1) : region.pages;
    return new Pages(proc, region.start + from * PAGE_SIZE, to - from);
  }

  private *mmapAnon(s: A.MmapAnon, task: number | undefined): Op<void> {
    const p = this.w.proc(s.actor.name);
    const r = yield* doMmap(this.k, task ?? p.pid, p.mm, {
      ...(s.at ? { addr: s.at.value } : {}), len: s.pages.value * PAGE_SIZE, prot: PROT_OF[s.prot?.value ?? 'rw']!,
      shared: s.shared, huge: s.huge,
    });
    if (typeof r === 'number') this.addRegion(p, s.name.name, r, s.pages.value);
    this.syscall(s, s.expectErrno, 'mmap', r);
  }

  private *mmapFile(s: A.MmapFile, task: number | undefined): Op<void> {
    const p = this.w.proc(s.actor.name);
    const file = this.w.files.get(s.file.name)!;
    const r = yield* doMmap(this.k, task ?? p.pid, p.mm, {
      ...(s.at ? { addr: s.at.value } : {}), len: s.pages.value * PAGE_SIZE, prot: PROT_OF[s.prot?.value ?? 'r']!,
      shared: s.shared, file, pgoff: s.offset?.value ?? 0,
    });
    if (typeof r === 'number') this.addRegion(p, s.name.name, r, s.pages.value);
    this.syscall(s, s.expectErrno, 'mmap', r);
  }

  addRegion(p: Proc, name: string, start: number, pages: number): void {
    this.w.addRegion(p, { name, start, pages });
  }

  /**
   * A read page by page, as the process would make it. A page whose value is not the expected
   * one does not end the read (the expectation only looks): the later pages are read too, and
   * the first mismatch is the failure, with the others in its detail. A signal ends the access.
   */
  private *read(s: A.Read, task: number | undefined): Op<void> {
    const pg = this.pages(s.range, s.actor.name);
    const wrong: string[] = [];
    for (const addr of pg.addrs) {
      const r = yield* userAccess(this.k, task ?? pg.proc.pid, pg.proc.mm, addr, false);
      if (r.signal) {
        this.opResult = r.signal.sig;
        if (s.expectSignal?.value === r.signal.sig) return;
        throw new SpecFailure(s.loc, `read of ${this.w.addrName(pg.proc.pid, addr)} got ${r.signal.sig}: ${this.signalReason(pg.proc, r.signal, task === undefined ? s.loc.line : undefined)}` +
          (s.expectSignal ? `, but ${s.expectSignal.value} was expected` : ''), undefined, this.killedBy(pg.proc, r.signal.sig));
      }
      this.opReads.push(r.value!);
      if (s.expectValue && r.value !== s.expectValue.value) {
        wrong.push(`read of ${this.w.addrName(pg.proc.pid, addr)} returned ${valueText(r.value!)}, expected ${valueText(s.expectValue.value)}`);
      }
    }
    if (wrong.length > 0) throw new SpecFailure(s.expectValue!.loc, wrong[0]!, wrong.length > 1 ? wrong.slice(1).join('\n') : undefined);
    if (s.expectSignal) throw new SpecFailure(s.expectSignal.loc, `expected ${s.expectSignal.value}, but the read succeeded`);
  }

  /** The SIGKILL of an OOM victim's access marks a process that runs nothing more (reported once). */
  private killedBy(p: Proc, sig: string): { process?: string } {
    return sig === 'SIGKILL' && p.mm.oomKilled ? { process: p.name } : {};
  }

  private *write(s: A.Write, task: number | undefined): Op<void> {
    const pg = this.pages(s.range, s.actor.name);
    for (const addr of pg.addrs) {
      const r = yield* userAccess(this.k, task ?? pg.proc.pid, pg.proc.mm, addr, true, s.value.value);
      if (r.signal) {
        this.opResult = r.signal.sig;
        if (s.expectSignal?.value === r.signal.sig) return;
        throw new SpecFailure(s.loc, `write to ${this.w.addrName(pg.proc.pid, addr)} got ${r.signal.sig}: ${this.signalReason(pg.proc, r.signal, task === undefined ? s.loc.line : undefined)}` +
          (s.expectSignal ? `, but ${s.expectSignal.value} was expected` : ''), undefined, this.killedBy(pg.proc, r.signal.sig));
      }
    }
    if (s.expectSignal) throw new SpecFailure(s.expectSignal.loc, `expected ${s.expectSignal.value}, but the write succeeded`);
  }

  /** Why an access got its signal; an OOM kill names its line. */
  private signalReason(p: Proc, sig: { readonly sig: string; readonly reason: string }, line: number | undefined): string {
    return sig.sig === 'SIGKILL' && p.mm.oomKilled ? this.killText(p, line) : sig.reason;
  }

  private *mremap(s: A.Mremap, task: number | undefined): Op<void> {
    const p = this.w.proc(s.actor.name);
    const region = p.regions.get(s.region.name)!;
    const r = yield* doMremap(this.k, task ?? p.pid, p.mm, region.start, region.pages * PAGE_SIZE, s.to.value);
    if (typeof r === 'number') region.start = r;
    this.syscall(s, s.expectErrno, 'mremap', r);
  }

  private *fork(s: A.Fork, task: number | undefined): Op<void> {
    const parent = this.w.proc(s.actor.name);
    const pid = this.w.takePid();
    const mm = yield* doFork(this.k, task ?? parent.pid, parent.mm, pid);
    const regions = new Map<string, Region>();
    for (const [n, r] of parent.regions) regions.set(n, { ...r });
    this.w.adoptProcess(s.child.name, mm, regions);
  }

  /**
   * `expect violation [KIND, …]`: the previous non-expect statement raised every KIND (any, if
   * none is named). All its violations are consumed, but stay known to a later `expect
   * violation` about the same statement (issue 14: a second line found "none").
   */
  private expectViolation(s: A.ExpectViolation): void {
    const p = this.pending ?? this.consumed;
    this.pending = undefined;
    this.consumed = p;
    const kinds = s.kinds.map((k) => k.value);
    const missing = kinds.filter((k) => !p?.violations.some((v) => v.kind === k));
    if (!p || missing.length > 0) {
      const seen = p ? [...new Set(p.violations.map((v) => v.kind))].join(', ') : 'none';
      throw new SpecFailure(s.loc, `expected violation${kinds.length ? ' ' + kinds.join(', ') : ''} from the previous statement, found ${seen}`);
    }
  }

  /**
   * `expect no event "TEXT"`: no event of the previous non-expect statement contains TEXT,
   * neither as rendered one by one nor as folded into a run (the golden's lines).
   */
  private expectNoEvent(s: A.ExpectNoEvent): void {
    const events = this.k.events.slice(this.lastEvents.from, this.lastEvents.to).map((e) => renderEvent(this.w, e));
    const want = s.text.value;
    const hit = events.find((e) => e.includes(want)) ?? foldEvents(events).find((e) => e.includes(want));
    if (hit !== undefined) throw new SpecFailure(s.loc, `expected no event containing ${JSON.stringify(want)}, found: ${hit}`);
  }

  /** Events since the previous `expect trace` (or the start). */
  private traceMark = 0;
  private expectTrace(s: A.ExpectTrace): void {
    const events = this.k.events.slice(this.traceMark).map((e) => renderEvent(this.w, e));
    this.traceMark = this.k.events.length;
    const bad = matchTrace(s.lines, events);
    if (bad !== undefined) {
      const detail = `events since the previous expect trace:\n${foldEvents(events).map((e) => '  ' + e).join('\n') || '  (none)'}`;
      if (bad < 0) throw new SpecFailure(s.loc, `expected no events, found ${events.length}`, detail);
      const line = s.lines[bad]!;
      const last = bad === s.lines.length - 1 && !line.wildcard;
      throw new SpecFailure(line.loc, last
        ? `trace does not match at "${line.text}" (or more events follow it: end the block with ... to allow them)`
        : `trace does not match at "${line.text}"`, detail);
    }
  }
}

/**
 * How a trace names a statement: `#4 vm1: write heap[0] "x"`, its number among the statements
 * that act (header lines and expectations not counted) and its text. No line number: comments,
 * blank lines and moving statements between lines leave a golden unchanged, and adding an
 * expectation does not renumber the rest. An expectation that caused events is named by its text.
 */
export function stepLabel(n: number | undefined, text: string): string {
  return n === undefined ? text : `#${n} ${text}`;
}

function stripComment(line: string): string {
  let inStr = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && inStr) { i++; continue; }
    if (c === '"') inStr = !inStr;
    else if (c === '#' && !inStr) return line.slice(0, i);
  }
  return line;
}

export type { Check };
