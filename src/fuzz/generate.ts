/**
 * The scenario generator of `mmspec fuzz`: random but valid specs over the whole language,
 * generated *online* — each statement is appended, parsed, checked and run on an
 * Interpreter at once, so the generator always knows which processes live, where regions
 * were placed and what the OOM killer took, and so that what the simulator answers is
 * compared with the content model (model.ts) statement by statement.
 *
 * A scenario is a list of actions (data: "p1 writes v3 into r2[0..2]"). Realising an action
 * writes its statement with what the model is certain of (`read x[0] expect "v3"`,
 * `write … expect SIGSEGV`, `madvise … expect EINVAL`): a wrong answer then fails the spec
 * text itself, which is the finding, ready to paste. Where Linux leaves a choice the model
 * cannot make (a lazily freed page, a snapshot-mode mirror page that may be absent, what an
 * OOM kill took), the observed outcome is written down once the model allowed it, so the text
 * replays exactly. Shrinking drops actions and realises the rest again, so the expectations of
 * a smaller scenario are the model's, never stale text.
 */
import type * as A from '../lang/ast.js';
import { parseSpec } from '../lang/parse.js';
import { Interpreter } from '../run/exec.js';
import { pageContent } from '../kernel/memory.js';
import { MAX_EVENTS } from '../lang/limits.js';
import type { KEvent as Event } from '../kernel/events.js';
import type { Value } from '../kernel/types.js';
import { Rng } from './rng.js';
import {
  PAGE, accessOutcomes, dontneed, forkPage, lazyFree, lookup, observed, readable, store, storeTarget, valuesOf, writable,
  type DevM, type FileM, type Outcome, type PageM, type ProcM, type Prot, type RegionM,
} from './model.js';

export const FUZZ_FILE = 'fuzz.mms';

/** How a scenario is generated. */
export interface GenOptions {
  /** `check=none, lock=off`: every mirror device is opened with these (the hunt of `fuzz --mirror`). */
  readonly mirror?: string;
  /** About how many statements the body has (the read-back at the end comes on top). */
  readonly length?: number;
}

/** What went wrong in one scenario: its kind, a one-line message, and the spec that shows it. */
export interface Finding {
  readonly kind: 'crash' | 'rejected' | 'bad-input' | 'violation' | 'lost' | 'signal' | 'errno' | 'failed' | 'replay' | 'nondeterministic';
  readonly message: string;
  readonly spec: string;
}

/** A page range of a process's region: `r2[1..3]`, or `r2` when whole. */
export interface RangeRef { readonly p: string; readonly region: string; readonly from: number; readonly to: number; readonly whole: boolean }

export interface ThreadAct {
  readonly t: 'read' | 'write' | 'reclaim' | 'migrate' | 'numa' | 'pageout';
  readonly p: string; readonly region: string; readonly i: number; readonly value: Value;
}

/** One statement of a scenario, as data: realised against the model and the interpreter. */
export type Action =
  | { readonly a: 'process'; readonly name: string }
  | { readonly a: 'file'; readonly name: string; readonly pages: number; readonly values?: readonly Value[] }
  | { readonly a: 'mmapAnon'; readonly p: string; readonly name: string; readonly pages: number; readonly prot: Prot; readonly showProt: boolean; readonly shared: boolean; readonly huge: boolean }
  | { readonly a: 'mmapFile'; readonly p: string; readonly name: string; readonly file: string; readonly offset: number; readonly pages: number; readonly prot: Prot; readonly showProt: boolean; readonly shared: boolean }
  | { readonly a: 'access'; readonly r: RangeRef; readonly write: boolean; readonly value: Value }
  | { readonly a: 'munmap'; readonly r: RangeRef }
  | { readonly a: 'mprotect'; readonly r: RangeRef; readonly prot: Prot }
  | { readonly a: 'madvise'; readonly r: RangeRef; readonly advice: string }
  | { readonly a: 'mremap'; readonly p: string; readonly region: string; readonly to: number }
  | { readonly a: 'fork'; readonly p: string; readonly child: string }
  | { readonly a: 'exit'; readonly p: string }
  | { readonly a: 'kernelRange'; readonly verb: 'reclaim' | 'migrate' | 'khugepaged' | 'numa-scan'; readonly r: RangeRef }
  | { readonly a: 'kernelReclaimN'; readonly n: number }
  | { readonly a: 'compact' }
  | { readonly a: 'ksm'; readonly x: RangeRef; readonly y: RangeRef }
  | { readonly a: 'writeback'; readonly file: string }
  | { readonly a: 'oom'; readonly p: string }
  | { readonly a: 'openMirror'; readonly p: string; readonly name: string; readonly target: string; readonly options: string; readonly safe: boolean }
  | { readonly a: 'mmapView'; readonly p: string; readonly dev: string; readonly name: string; readonly tregion: string; readonly i: number; readonly pages: number; readonly prot: Prot; readonly showProt: boolean }
  | { readonly a: 'close'; readonly dev: string }
  | { readonly a: 'openDmirror'; readonly p: string; readonly name: string }
  | { readonly a: 'dmirror'; readonly dev: string; readonly cmd: 'read' | 'write' | 'snapshot' | 'migrate'; readonly r: RangeRef; readonly values: readonly Value[] }
  | { readonly a: 'block'; readonly explore: boolean; readonly threads: readonly ThreadAct[]; readonly order: readonly number[] };

/** A scenario as data: its header and its actions (the read-back at the end is implied). */
export interface ScenarioPlan {
  readonly title: string;
  readonly memory: number;
  readonly swap: number;
  readonly actions: readonly Action[];
}

export interface Scenario {
  readonly plan: ScenarioPlan;
  readonly text: string;
  /** Statements run (without the header). */
  readonly statements: number;
  /** Whether the model judged contents and violations (no driver variant, no OOM kill). */
  readonly safe: boolean;
  readonly finding?: Finding;
}

const SAFE_VARIANTS = ['', 'vma=mixedmap', 'fault=snapshot', 'vma=mixedmap, fault=snapshot'];
const UNSAFE_VARIANTS = ['check=none', 'check=inverted', 'lock=off', 'api=hmm2019', 'vma=anon', 'fork=copy', 'mkwrite=none',
  'check=none, lock=off', 'api=hmm2019, check=none', 'max-retries=2', 'check=inverted, max-retries=3'];
const ADVICES = ['dontneed', 'free', 'pageout', 'cold', 'willneed', 'hugepage', 'nohugepage', 'mergeable', 'collapse'] as const;
const PROTS: readonly Prot[] = ['none', 'r', 'rw', 'rx', 'rwx'];

class Stop extends Error { constructor(readonly finding: Finding) { super(finding.message); } }

/**
 * The kernel panicked where Linux would (a mirror view faulting itself without end overflows
 * the kernel stack), or the run reached its event limit: nothing can run after it, so the
 * scenario ends before that statement.
 */
class Panicked extends Error {}

/** The process an action runs as, if any (`dmirrorOpener`: a dmirror device's opener). */
function actorOf(a: Action, dmirrorOpener: (dev: string) => string | undefined): string | undefined {
  switch (a.a) {
    case 'access': case 'munmap': case 'mprotect': case 'madvise': return a.r.p;
    case 'mmapAnon': case 'mmapFile': case 'mremap': case 'fork': case 'exit': case 'openMirror':
    case 'mmapView': case 'openDmirror': return a.p;
    case 'close': return undefined;
    case 'dmirror': return dmirrorOpener(a.dev);
    default: return undefined;
  }
}

/** Generates scenario number `index` of campaign `seed` at random, and runs it. Never throws. */
export function generateScenario(seed: number, index: number, opts: GenOptions = {}): Scenario {
  const rng = new Rng(seed, index);
  const memory = rng.weighted({ tiny: 2, small: 3, normal: 5 });
  const plan = {
    title: `fuzz ${seed}#${index}`,
    memory: memory === 'tiny' ? rng.range(3, 12) : memory === 'small' ? rng.range(16, 64) : 4096,
    swap: rng.chance(0.4) ? rng.range(1, 16) : 4096,
  };
  const g = new Generator(plan, opts);
  return g.realise(() => {
    const chooser = new Chooser(rng, g, opts);
    chooser.fill(opts.length ?? rng.range(6, 40));
  });
}

/**
 * Runs a plan again (a shrinking step): actions that no longer make sense are left out. A
 * generated plan holds its read-back already (as reads); `readBack` adds one (a plan written
 * by hand). Never throws.
 */
export function replayPlan(plan: ScenarioPlan, opts: GenOptions = {}, readBack = false): Scenario {
  const g = new Generator(plan, opts);
  return g.realise(() => { for (const a of plan.actions) g.apply(a); }, readBack);
}

/** Realises actions: the model, the interpreter and the spec text, kept in step. */
class Generator {
  private readonly lines: string[] = [];
  private readonly it: Interpreter;
  private readonly spec: { type: 'specFile'; statements: A.Statement[]; loc: A.Loc };
  readonly procs = new Map<string, ProcM>();
  readonly files = new Map<string, FileM>();
  readonly devs = new Map<string, DevM>();
  readonly dmirrors = new Map<string, ProcM>();
  readonly applied: Action[] = [];
  count = 0;
  /** Lines of the text so far (a block spans several). */
  private textLines = 0;
  /** False once a driver variant or an OOM kill makes contents and violations unjudgeable. */
  safe = true;

  constructor(readonly plan: Omit<ScenarioPlan, 'actions'>, private readonly opts: GenOptions) {
    this.lines.push(`spec "${plan.title}"`);
    if (plan.memory !== 4096) this.lines.push(`memory ${plan.memory} frames`);
    if (plan.swap !== 4096) this.lines.push(`swap ${plan.swap} slots`);
    const header = this.text();
    this.textLines = this.lines.length;
    const parsed = parseSpec(header, FUZZ_FILE);
    if (!parsed.spec) throw new Error(`Generator: header does not parse: ${parsed.diagnostics[0]?.message}`);
    // The header is in the tree before the interpreter is made: it sizes memory and swap.
    this.spec = { type: 'specFile', statements: [...parsed.spec.statements], loc: parsed.spec.loc };
    this.it = new Interpreter(this.spec as unknown as A.SpecFile, header, { steps: false, eventLimit: MAX_EVENTS });
    for (const s of parsed.spec.statements) this.it.step(s);
  }

  text(): string { return this.lines.join('\n') + '\n'; }

  /** Runs `body`, then reads every page back; a finding ends the scenario where it is. */
  realise(body: () => void, readBack = true): Scenario {
    const done = (finding?: Finding): Scenario => ({
      plan: { ...this.plan, actions: [...this.applied] }, text: this.text(), statements: this.count, safe: this.safe,
      ...(finding ? { finding } : {}),
    });
    try {
      body();
      if (readBack) this.readBack();
    } catch (e) {
      if (e instanceof Stop) return done(e.finding);
      if (e instanceof Panicked) {
        this.lines.pop();
        this.applied.pop();
        return done();
      }
      const err = e instanceof Error ? e : new Error(String(e));
      if (process.env.MMSPEC_DEBUG === '1') console.error(err.stack);
      return done({ kind: 'crash', message: `generator: ${err.message}`, spec: this.text() });
    }
    return done();
  }

  // ------------------------------------------------------------------ running statements

  /**
   * Appends `line`, runs it, and returns its events. A failure of the statement is returned
   * (the caller decides whether the model allowed it); a crash or a rejection stops the scenario.
   */
  private run(line: string): { events: Event[]; failure?: string } {
    // The statement alone, at its own line: the same tree as in the whole text, at a cost that
    // does not grow with the spec (the static checks of the whole text run in its replays).
    const at = this.textLines;
    this.lines.push(line);
    this.textLines += line.split('\n').length;
    const padded = '\n'.repeat(at) + line + '\n';
    const parsed = parseSpec(padded, FUZZ_FILE);
    if (!parsed.spec || parsed.spec.statements.length !== 1) {
      throw new Stop({ kind: 'rejected', message: `line ${at + 1}: ${parsed.diagnostics[0]?.message ?? 'not one statement'}`, spec: this.text() });
    }
    const stmt = parsed.spec.statements[0]!;
    this.spec.statements.push(stmt);
    this.it.source = padded;
    const text = this.text();
    const mark = this.it.k.events.length;
    let ok: boolean;
    try {
      ok = this.it.step(stmt);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      throw new Stop({ kind: 'crash', message: `${err.name}: ${err.message}`, spec: text });
    }
    this.count++;
    const events = this.it.k.events.slice(mark);
    this.noteKills(events);
    // A scenario that grew past what a run may record ends before the statement that did it.
    if (this.it.badInput && this.it.badInput.message.includes(`limit of ${MAX_EVENTS} trace events`)) throw new Panicked(this.it.badInput.message);
    if (this.it.badInput) throw new Stop({ kind: 'bad-input', message: this.it.badInput.message, spec: text });
    if (!ok) {
      const message = this.it.failure!.message;
      this.it.failure = undefined;
      if (message.startsWith('kernel panic:') && this.selfMirror()) throw new Panicked(message);
      return { events, failure: message };
    }
    return { events };
  }

  /** Replaces the last line (an observed outcome written down); its tree is re-parsed. */
  private rewriteLast(line: string): void {
    const at = this.textLines - this.lines[this.lines.length - 1]!.split('\n').length;
    this.lines[this.lines.length - 1] = line;
    const padded = '\n'.repeat(at) + line + '\n';
    const parsed = parseSpec(padded, FUZZ_FILE);
    if (!parsed.spec) throw new Stop({ kind: 'rejected', message: parsed.diagnostics[0]!.message, spec: this.text() });
    const sts = this.spec.statements;
    sts[sts.length - 1] = parsed.spec.statements[0]!;
  }

  /**
   * Whether a mirror's invalidation can reach mirror views through another mirror: a device
   * mirrors its own opener, or the process it mirrors has views of its own. A zap of one view
   * is then an invalidation that another view's interval may cover (the callback re-entered).
   */
  private selfMirror(): boolean {
    for (const d of this.devs.values()) {
      if (d.opener === d.target) return true;
      for (const r of d.target.regions.values()) if (r.kind === 'view') return true;
    }
    return false;
  }

  /** Whether the last statement hung in the kernel (the deadlock violation is pending). */
  private hungNow(): boolean {
    return this.it.pending?.violations.some((v) => v.kind === 'deadlock') ?? false;
  }

  /** A violation raised by the last statement: a finding, unless a variant makes it expected. */
  private settleViolation(a: Action): void {
    const p = this.it.pending!;
    const kinds = [...new Set(p.violations.map((v) => v.kind))];
    // A device that mirrors its own process can cover its own views: its callback's zap of one
    // view re-enters it for another, on the update lock it holds (Linux mutexes are not
    // recursive). The statement's task hangs; what it was doing is lost with it.
    if (kinds.every((k) => k === 'deadlock') && this.selfMirror()) {
      const who = actorOf(a, (dev) => this.dmirrors.get(dev)?.name);
      const proc = who === undefined ? undefined : this.procs.get(who);
      if (proc) { proc.alive = false; proc.killed = true; }
      // The lock stays held: any later invalidation of that range hangs too.
      this.safe = false;
      const r = this.run('expect violation deadlock');
      if (r.failure) this.fail('failed', r.failure);
      return;
    }
    if (this.opts.mirror !== undefined) throw new Stop({ kind: 'violation', message: `violation ${kinds.join(', ')}`, spec: this.text() });
    if (this.safe) {
      throw new Stop({ kind: 'violation', message: `violation ${kinds.join(', ')} with the default mirror options: ${p.violations[0]!.detail}`, spec: this.text() });
    }
    const r = this.run(`expect violation ${kinds[0]}`);
    if (r.failure) this.fail('failed', r.failure);
  }

  private noteKills(events: readonly Event[]): void {
    for (const e of events) {
      if (e.e !== 'oom') continue;
      // Only the victim's own memory is gone: what others map (shared pages too) must survive.
      for (const p of this.procs.values()) if (p.pid === e.mm) { p.alive = false; p.killed = true; }
    }
  }

  private fail(kind: Finding['kind'], message: string): never {
    // An explore outcome or a violation that ended the statement is a violation, whatever the caller thought.
    throw new Stop({ kind: /^(never |always )?violation\b/.test(message) ? 'violation' : kind, message, spec: this.text() });
  }

  // ------------------------------------------------------------------ the model's view

  live(): ProcM[] { return [...this.procs.values()].filter((p) => p.alive); }

  /** The model's region of a range, if the range still makes sense (its process lives, the pages exist). */
  region(r: RangeRef): { p: ProcM; reg: RegionM } | undefined {
    const p = this.procs.get(r.p);
    const reg = p?.alive ? p.regions.get(r.region) : undefined;
    if (!p || !reg || r.to > reg.pages.length) return undefined;
    return { p, reg };
  }

  private rangeText(r: RangeRef): string {
    return r.whole ? r.region : r.to - r.from === 1 ? `${r.region}[${r.from}]` : `${r.region}[${r.from}..${r.to}]`;
  }

  private addrOf(r: RegionM, i: number): number { return r.start + i * PAGE; }

  /** Adds the region the interpreter placed (mmap succeeded) to the model. */
  private placed(p: ProcM, name: string, r: Omit<RegionM, 'start' | 'name'>): void {
    // An mmap that hung in the kernel (behind a lock a hung task holds) placed nothing.
    if (this.hungNow()) return;
    const reg = this.it.w.proc(p.name).regions.get(name);
    if (!reg) this.fail('failed', `mmap of ${name} placed nothing`);
    p.regions.delete(name);
    p.regions.set(name, { ...r, name, start: reg.start });
  }

  // ------------------------------------------------------------------ actions

  /** Realises one action; false (and nothing run) when it no longer makes sense. */
  apply(a: Action): boolean {
    // Recorded first: an action that stops the scenario (a finding) is part of its plan.
    this.applied.push(a);
    const ok = this.applyAction(a);
    if (!ok) this.applied.pop();
    // Violations are settled once the statement's line is final (an observed signal written down).
    else if (this.it.pending) this.settleViolation(a);
    return ok;
  }

  private applyAction(a: Action): boolean {
    switch (a.a) {
      case 'process': {
        if (this.procs.has(a.name)) return false;
        this.run(`process ${a.name}`);
        this.procs.set(a.name, { name: a.name, pid: this.it.w.proc(a.name).pid, alive: true, killed: false, regions: new Map() });
        return true;
      }
      case 'file': {
        if (this.files.has(a.name)) return false;
        this.run(`file ${a.name} pages ${a.pages}${a.values ? ` = ${a.values.map(lit).join(', ')}` : ''}`);
        this.files.set(a.name, { name: a.name, pages: a.pages, cells: Array.from({ length: a.pages }, (_, i) => ({ v: a.values?.[i] ?? `${a.name}:${i}`, lazy: false })) });
        return true;
      }
      case 'mmapAnon': return this.mmapAnon(a);
      case 'mmapFile': return this.mmapFile(a);
      case 'access': return this.access(a.r, a.write, a.value);
      case 'munmap': {
        const x = this.region(a.r);
        if (!x) return false;
        this.syscall(`${a.r.p}: munmap ${this.rangeText(a.r)}`, undefined);
        // By address: whatever is mapped there now goes, whichever region's name it has.
        for (let i = a.r.from; i < a.r.to; i++) {
          const addr = this.addrOf(x.reg, i);
          for (const r of x.p.regions.values()) {
            const j = (addr - r.start) / PAGE;
            if (j >= 0 && j < r.pages.length) r.pages[j] = null;
          }
        }
        return true;
      }
      case 'mprotect': return this.mprotect(a.r, a.prot);
      case 'madvise': return this.madvise(a.r, a.advice);
      case 'mremap': {
        const p = this.procs.get(a.p), r = p?.alive ? p.regions.get(a.region) : undefined;
        if (!p || !r || r.kind === 'view' || !r.pages.every((x) => x)) return false;
        const errno = this.syscall(`${a.p}: mremap ${a.region} to 0x${a.to.toString(16)}`, null);
        if (errno === undefined) r.start = a.to;
        return true;
      }
      case 'fork': {
        const p = this.procs.get(a.p);
        if (!p?.alive || this.procs.has(a.child)) return false;
        this.run(`${a.p}: fork ${a.child}`);
        // A fork that hung in the kernel (deadlock) never created its child.
        if (!this.it.w.procs.has(a.child)) return true;
        const child: ProcM = { name: a.child, pid: this.it.w.proc(a.child).pid, alive: true, killed: false, regions: new Map() };
        for (const [n, r] of p.regions) child.regions.set(n, { ...r, pages: r.pages.map((x) => (x ? forkPage(r, x) : null)), prots: [...r.prots] });
        this.procs.set(a.child, child);
        return true;
      }
      case 'exit': {
        const p = this.procs.get(a.p);
        if (!p?.alive) return false;
        this.run(`${a.p}: exit`);
        p.alive = false;
        return true;
      }
      case 'kernelRange': {
        if (!this.region(a.r)) return false;
        return this.kernelLine(`kernel: ${a.verb} ${a.r.p}.${this.rangeText(a.r)}`);
      }
      case 'kernelReclaimN': return this.kernelLine(`kernel: reclaim ${a.n}`);
      case 'compact': return this.kernelLine('kernel: compact');
      case 'ksm': {
        if (!this.region(a.x) || !this.region(a.y)) return false;
        return this.kernelLine(`kernel: ksm ${a.x.p}.${this.rangeText(a.x)} and ${a.y.p}.${this.rangeText(a.y)}`);
      }
      case 'writeback': return this.files.has(a.file) && this.kernelLine(`kernel: writeback ${a.file}`);
      case 'oom': {
        const p = this.procs.get(a.p);
        if (!p?.alive || this.live().length < 2) return false;
        p.alive = false; p.killed = true;
        return this.kernelLine(`kernel: oom ${a.p}`);
      }
      case 'openMirror': {
        const p = this.procs.get(a.p), t = this.procs.get(a.target);
        if (!p?.alive || !t?.alive || this.devs.has(a.name)) return false;
        if (!a.safe) this.safe = false;
        this.run(`${a.p}: open mirror ${a.name} of ${a.target}${a.options ? ` with ${a.options}` : ''}`);
        this.devs.set(a.name, {
          name: a.name, opener: p, target: t, options: a.options, safe: a.safe, fdOpen: true,
          fault: /fault=snapshot/.test(a.options) ? 'snapshot' : 'hmm', copyOnFork: /fork=copy/.test(a.options),
        });
        return true;
      }
      case 'mmapView': return this.mmapView(a);
      case 'close': {
        const d = this.devs.get(a.dev);
        if (!d?.fdOpen || !d.opener.alive) return false;
        this.run(`${d.opener.name}: close ${d.name}`);
        d.fdOpen = false;
        return true;
      }
      case 'openDmirror': {
        const p = this.procs.get(a.p);
        if (!p?.alive || this.dmirrors.has(a.name)) return false;
        this.run(`${a.p}: open dmirror ${a.name}`);
        this.dmirrors.set(a.name, p);
        return true;
      }
      case 'dmirror': return this.dmirror(a);
      case 'block': return this.block(a);
    }
  }

  private kernelLine(line: string): boolean {
    const r = this.run(line);
    if (r.failure) this.fail('failed', r.failure);
    return true;
  }

  private mmapAnon(a: Extract<Action, { a: 'mmapAnon' }>): boolean {
    const p = this.procs.get(a.p);
    if (!p?.alive || p.regions.has(a.name)) return false;
    const words = [`${a.p}: mmap anon ${a.name} pages ${a.pages}`];
    if (a.showProt) words.push(a.prot);
    if (a.shared) words.push('shared');
    if (a.huge) words.push('huge');
    const r = this.run(words.join(' '));
    if (r.failure) this.fail('failed', r.failure);
    this.placed(p, a.name, {
      kind: 'anon', shared: a.shared, huge: a.huge,
      pages: Array.from({ length: a.pages }, (): PageM => ({ k: 'anon', cell: { v: 0, lazy: false } })),
      prots: Array.from({ length: a.pages }, () => a.prot),
    });
    return true;
  }

  private mmapFile(a: Extract<Action, { a: 'mmapFile' }>): boolean {
    const p = this.procs.get(a.p), f = this.files.get(a.file);
    if (!p?.alive || !f || p.regions.has(a.name)) return false;
    const words = [`${a.p}: mmap file ${a.name} ${a.file}`];
    if (a.offset > 0) words.push(`offset ${a.offset}`);
    words.push(`pages ${a.pages}`);
    if (a.showProt) words.push(a.prot);
    if (a.shared) words.push('shared');
    const r = this.run(words.join(' '));
    if (r.failure) this.fail('failed', r.failure);
    this.placed(p, a.name, {
      kind: 'file', shared: a.shared, huge: false, file: f,
      pages: Array.from({ length: a.pages }, (_, i): PageM => ({ k: 'file', file: f, idx: a.offset + i })),
      prots: Array.from({ length: a.pages }, () => a.prot),
    });
    return true;
  }

  private mmapView(a: Extract<Action, { a: 'mmapView' }>): boolean {
    const p = this.procs.get(a.p), d = this.devs.get(a.dev);
    if (!p?.alive || !d || d.opener !== p || !d.fdOpen || !d.target.alive || p.regions.has(a.name)) return false;
    const tr = d.target.regions.get(a.tregion);
    if (!tr || a.i + a.pages > tr.pages.length) return false;
    const words = [`${a.p}: mmap ${a.dev} ${a.name} pages ${a.pages} target ${d.target.name}.${a.tregion}[${a.i}]`];
    if (a.showProt) words.push(a.prot);
    const r = this.run(words.join(' '));
    if (r.failure) this.fail('failed', r.failure);
    const taddr = tr.start + a.i * PAGE;
    this.placed(p, a.name, {
      kind: 'view', shared: true, huge: false, dev: d,
      pages: Array.from({ length: a.pages }, (_, j): PageM => ({ k: 'view', dev: d, taddr: taddr + j * PAGE, copy: false })),
      prots: Array.from({ length: a.pages }, () => a.prot),
    });
    return true;
  }

  // ------------------------------------------------------------------ accesses

  private access(rr: RangeRef, write: boolean, value: Value): boolean {
    const x = this.region(rr);
    if (!x) return false;
    const { p, reg } = x;
    const outs: Outcome[][] = [];
    for (let i = rr.from; i < rr.to; i++) outs.push([...accessOutcomes(p, this.addrOf(reg, i), write, this.plan.memory < 16)]);
    const line = `${p.name}: ${write ? `write ${this.rangeText(rr)} ${lit(value)}` : `read ${this.rangeText(rr)}`}`;
    // A driver variant may corrupt what it touches (vma=anon frees pages still mapped): the
    // model then claims nothing about values, only about signals.
    const sig = certainSignal(outs);
    const vals = write || !this.safe ? undefined : certainValue(outs);
    const r = this.run(sig ? `${line} expect ${sig}` : vals !== undefined ? `${line} expect ${lit(vals)}` : line);
    const signal = r.events.find((e): e is Extract<Event, { e: 'signal' }> => e.e === 'signal' && e.mm === p.pid);
    // The OOM killer took the actor itself during its access: what it did is open.
    const killedNow = p.killed || this.hungNow();
    if (r.failure && (sig !== undefined || vals !== undefined) && !killedNow) this.fail(sig ? 'signal' : 'lost', r.failure);
    // A signal stops the access at the page that faulted.
    const reached = signal ? Math.round((signal.addr - reg.start) / PAGE) - rr.from : rr.to - rr.from;
    if (signal && !sig) {
      const o = outs[reached];
      if (!killedNow && !(o?.length === 0 || o?.some((y) => y.sig === signal.sig))) {
        this.fail('signal', `${write ? 'write to' : 'read of'} ${this.rangeText(rr)} got ${signal.sig}: ${signal.reason}`);
      }
      this.rewriteLast(`${line} expect ${signal.sig}`);
    } else if (r.failure && !killedNow) {
      this.fail('failed', r.failure);
    } else if (r.failure) {
      this.rewriteLast(line);
    }
    const reads = r.events.filter((e): e is Extract<Event, { e: 'access' }> => e.e === 'access' && e.mm === p.pid && e.op === 'read');
    for (let j = 0; j < reached; j++) {
      const addr = this.addrOf(reg, rr.from + j);
      // A CPU access migrates a device page back (migrate_to_ram).
      const own = lookup(p, addr);
      if (own?.page.k === 'anon') own.page.onDevice = false;
      if (write) {
        const t = storeTarget(p, addr);
        if (t && !killedNow) store(t.region, t.idx, t.page, value);
        continue;
      }
      const got = reads.find((e) => e.addr === addr);
      if (!got) continue;
      const allowed = outs[j]!.length === 0 ? undefined : outs[j]!.find((o) => o.values)?.values;
      if (allowed && !allowed.includes(got.value) && this.safe && !killedNow) {
        this.rewriteLast(`${p.name}: read ${reg.name}[${rr.from + j}] expect ${lit(allowed[0]!)}`);
        this.fail('lost', `read of ${reg.name}[${rr.from + j}] returned ${lit(got.value)}, expected ${allowed.map(lit).join(' or ')}`);
      }
      const hit = lookup(p, addr);
      const t = hit?.page.k === 'view' ? lookup(hit.page.dev.target, hit.page.taddr) : hit;
      if (t) observed(t.page, got.value);
    }
    return true;
  }

  // ------------------------------------------------------------------ system calls

  /** Runs a system call: errno a string = certain failure; undefined = certain success; null = either. */
  private syscall(line: string, errno: string | undefined | null): string | undefined {
    const r = this.run(errno ? `${line} expect ${errno}` : line);
    const got = r.events.find((e): e is Extract<Event, { e: 'errno' }> => e.e === 'errno');
    if (r.failure && errno !== null) this.fail('errno', r.failure);
    if (r.failure && got) { this.rewriteLast(`${line} expect ${got.errno}`); return got.errno; }
    if (r.failure) this.fail('failed', r.failure);
    return errno ?? undefined;
  }

  /** What is mapped at each page of a range now (by address: it may be another region's page). */
  private hits(p: ProcM, reg: RegionM, from: number, to: number): (ReturnType<typeof lookup>)[] {
    const out: (ReturnType<typeof lookup>)[] = [];
    for (let i = from; i < to; i++) out.push(lookup(p, this.addrOf(reg, i)));
    return out;
  }

  /** The kind every page of the range has (all mapped, one region kind and sharing), if so. */
  private uniform(hs: readonly (ReturnType<typeof lookup>)[]): { kind: RegionM['kind']; shared: boolean } | undefined {
    const first = hs[0];
    if (!first) return undefined;
    for (const h of hs) if (!h || h.region.kind !== first.region.kind || h.region.shared !== first.region.shared) return undefined;
    return { kind: first.region.kind, shared: first.region.shared };
  }

  private mprotect(rr: RangeRef, prot: Prot): boolean {
    const x = this.region(rr);
    if (!x) return false;
    const hs = this.hits(x.p, x.reg, rr.from, rr.to);
    const u = this.uniform(hs);
    // Linux refuses PROT_WRITE on a shared mapping of a file or device not opened for writing:
    // the model claims success only for private memory.
    const known = u !== undefined && (u.kind === 'anon' || (u.kind === 'file' && !u.shared));
    const errno = this.syscall(`${rr.p}: mprotect ${this.rangeText(rr)} ${prot}`, known ? undefined : null);
    // do_mprotect_pkey: a range with a hole changes the VMAs before the hole, then fails with
    // ENOMEM (nothing, when its first page is a hole).
    if (errno !== undefined && errno !== 'ENOMEM') return true;
    for (const h of hs) {
      if (!h) break;
      h.region.prots[h.idx] = prot;
    }
    return true;
  }

  private madvise(rr: RangeRef, advice: string): boolean {
    const x = this.region(rr);
    if (!x) return false;
    const hs = this.hits(x.p, x.reg, rr.from, rr.to);
    const u = this.uniform(hs);
    let errno: string | undefined | null = null;
    if (u && u.kind === 'anon' && !u.shared && advice !== 'collapse') errno = undefined;
    // madvise_free_single_vma: only anonymous VMAs (shmem and files are not) → EINVAL.
    else if (u && advice === 'free' && u.kind !== 'view') errno = 'EINVAL';
    else if (u && u.kind !== 'view' && ['dontneed', 'pageout', 'cold', 'willneed'].includes(advice)) errno = undefined;
    const got = this.syscall(`${rr.p}: madvise ${this.rangeText(rr)} ${advice}`, errno);
    // madvise_walk_vmas applies the advice to every VMA of the range and reports ENOMEM for
    // the holes: the mapped pages are advised either way.
    if (got !== undefined && got !== 'ENOMEM') return true;
    for (const h of hs) {
      if (!h) continue;
      if (advice === 'dontneed') dontneed(h.region, h.idx);
      if (advice === 'free') lazyFree(h.region, h.idx);
    }
    return true;
  }

  // ------------------------------------------------------------------ dmirror

  private dmirror(a: Extract<Action, { a: 'dmirror' }>): boolean {
    const opener = this.dmirrors.get(a.dev);
    const x = this.region(a.r);
    if (!opener?.alive || !x || x.p !== opener) return false;
    const reg = x.reg;
    const errs = new Set<string>();
    const vals: (Value | undefined)[] = [];
    let uncertain = !this.safe;
    const hs = this.hits(opener, reg, a.r.from, a.r.to);
    for (const h of hs) {
      const page = h?.page, prot = h ? h.region.prots[h.idx]! : 'none';
      // hmm_range_fault: no VMA, a PFNMAP/IO VMA or no VM_READ → -EFAULT; a write to a VMA
      // without VM_WRITE → -EPERM.
      // A VM_MIXEDMAP view passes hmm_vma_walk_test and fails at its PTEs (EPERM or EFAULT).
      // The anonymous design's view is an ordinary anonymous VMA: hmm walks it like any other.
      if (page?.k === 'view' && /mixedmap|vma=anon/.test(page.dev.options)) { errs.add('EFAULT'); errs.add('EPERM'); }
      else if (!page || page.k === 'view' || !readable(prot)) errs.add('EFAULT');
      // A device-private page of this device is reported as it is (hmm_vma_handle_pte), even
      // read-only for a write: dmirror_do_fault() then fails with EFAULT.
      else if (page.k === 'anon' && page.onDevice && a.cmd === 'write') { errs.add('EFAULT'); uncertain = true; }
      else if (a.cmd === 'write' && !writable(prot)) errs.add('EPERM');
      else {
        const v = valuesOf(page);
        if (!v || v.length !== 1) uncertain = true;
        vals.push(v?.[0]);
      }
    }
    // A fault that hmm_range_fault makes for the device finds no frame in a tiny memory and
    // fails (-EFAULT from VM_FAULT_OOM) rather than killing: success is not certain there.
    if (this.plan.memory < 16) uncertain = true;
    const certainErr = !uncertain && errs.size === 1 && vals.length === 0 ? [...errs][0] : undefined;
    if (errs.size > 0 && !certainErr) uncertain = true;
    const base = `${opener.name}: dmirror ${a.dev}`;
    const range = this.rangeText(a.r);
    switch (a.cmd) {
      case 'read': {
        const exp = certainErr ? ` expect ${certainErr}` : !uncertain ? ` expect ${vals.map((v) => lit(v!)).join(', ')}` : '';
        const r = this.run(`${base} read ${range}${exp}`);
        if (r.failure && exp) this.fail(certainErr ? 'errno' : 'lost', r.failure);
        if (r.failure) this.writeDownErrno(`${base} read ${range}`, r);
        return true;
      }
      case 'write': {
        const line = `${base} write ${range} = ${a.values.map(lit).join(', ')}`;
        const r = this.run(certainErr ? `${line} expect ${certainErr}` : line);
        if (r.failure && (certainErr || (errs.size === 0 && !uncertain))) this.fail('errno', r.failure);
        if (r.failure) {
          // dmirror_write() copies page by page until an entry is missing, then faults the
          // rest: pages before the one that failed may hold the new values already.
          this.writeDownErrno(line, r);
          hs.forEach((h, j) => { if (h) this.settleStore(opener, reg, a.r.from + j, h, a.values[j]!); });
          return true;
        }
        if (certainErr) return true;
        hs.forEach((h, j) => { if (h) store(h.region, h.idx, h.page, a.values[j]!); });
        return true;
      }
      case 'snapshot': case 'migrate': {
        const line = `${base} ${a.cmd} ${range}`;
        const r = this.run(line);
        if (r.failure) this.writeDownErrno(line, r);
        // Private anonymous pages now live in device memory (the others are not selected).
        else if (a.cmd === 'migrate') for (const h of hs) if (h?.page.k === 'anon' && !h.region.shared) h.page.onDevice = true;
        return true;
      }
    }
  }

  /**
   * After a store that may or may not have happened: the page's content (read without
   * faulting) must be its old value or the new one; the model takes what it finds.
   */
  private settleStore(p: ProcM, reg: RegionM, i: number, h: NonNullable<ReturnType<typeof lookup>>, v: Value): void {
    const proc = this.it.w.procs.get(p.name);
    if (!proc) return;
    const now = pageContent(this.it.k, proc.mm, this.addrOf(reg, i));
    const old = valuesOf(h.page);
    if (now === v) store(h.region, h.idx, h.page, v);
    else if (this.safe && old && now !== undefined && !old.includes(now)) {
      this.fail('lost', `${reg.name}[${i}] holds ${lit(now)} after a failed device write of ${lit(v)}; it held ${old.map(lit).join(' or ')}`);
    }
  }

  private writeDownErrno(line: string, r: { events: Event[]; failure?: string }): void {
    const got = r.events.find((e): e is Extract<Event, { e: 'errno' }> => e.e === 'errno');
    const errno = got?.errno ?? /failed with ([A-Z]+)/.exec(r.failure ?? '')?.[1];
    if (!errno) this.fail('failed', r.failure!);
    this.rewriteLast(`${line} expect ${errno}`);
  }

  // ------------------------------------------------------------------ race and explore

  private block(a: Extract<Action, { a: 'block' }>): boolean {
    // With a device mirroring its own process, views may cover views: every interleaving
    // could hang on the re-entered callback (a sequential statement shows that more plainly).
    if (this.selfMirror() && this.opts.mirror === undefined) return false;
    const lines: string[] = [];
    const writes: { p: ProcM; addr: number; v: Value }[] = [];
    for (const t of a.threads) {
      const p = this.procs.get(t.p), reg = p?.alive ? p.regions.get(t.region) : undefined;
      if (!p || !reg || t.i >= reg.pages.length || !reg.pages[t.i]) return false;
      const addr = this.addrOf(reg, t.i);
      if (t.t === 'read' || t.t === 'write') {
        // A thread that certainly faults with a signal would fail the block; an outcome the
        // model leaves open (a driver variant's view) is the point of a hunt.
        const outs = accessOutcomes(p, addr, t.t === 'write');
        if (outs.some((o) => o.sig) || (outs.length === 0 && this.opts.mirror === undefined)) return false;
      }
      const page = `${t.region}[${t.i}]`;
      switch (t.t) {
        case 'read': lines.push(`${t.p}: read ${page}`); break;
        case 'write': lines.push(`${t.p}: write ${page} ${lit(t.value)}`); writes.push({ p, addr, v: t.value }); break;
        case 'reclaim': lines.push(`kernel: reclaim ${t.p}.${page}`); break;
        case 'migrate': lines.push(`kernel: migrate ${t.p}.${page}`); break;
        case 'numa': lines.push(`kernel: numa-scan ${t.p}.${page}`); break;
        case 'pageout': if (reg.kind === 'view') return false; lines.push(`${t.p}: madvise ${page} pageout`); break;
      }
    }
    const body = lines.map((l, i) => `  t${i + 1} = ${l}`).join('\n');
    const text = a.explore
      ? `explore {\n${body}\n}\nexpect never violation`
      : `race {\n${body}\n} schedule ${a.order.map((i) => `t${i + 1}`).join(', ')}`;
    const r = this.run(text);
    if (r.failure) this.fail(/violation/.test(r.failure) ? 'violation' : 'failed', r.failure.split('\n')[0]!);
    for (const w of writes) {
      const hit = storeTarget(w.p, w.addr);
      if (hit) store(hit.region, hit.idx, hit.page, w.v);
    }
    return true;
  }

  // ------------------------------------------------------------------ the read-back

  /** Every page of every living process read back through every mapping: nothing lost. */
  readBack(): void {
    for (const p of this.live()) {
      for (const r of p.regions.values()) {
        let i = 0;
        while (i < r.pages.length) {
          if (!r.pages[i] || !readable(r.prots[i]!)) { i++; continue; }
          // Runs of pages the model gives one certain value (or none) read as one statement.
          const key = (k: number): string => {
            const v = r.pages[k]!.k === 'view' ? undefined : valuesOf(r.pages[k]!);
            return v && v.length === 1 ? `=${lit(v[0]!)}` : '?';
          };
          let j = i + 1;
          if (r.kind !== 'view') while (j < r.pages.length && r.pages[j] && readable(r.prots[j]!) && j - i < 64 && key(j) === key(i)) j++;
          // Recorded as actions of the plan: shrinking may drop the reads that do not matter.
          this.apply({ a: 'access', r: { p: p.name, region: r.name, from: i, to: j, whole: i === 0 && j === r.pages.length && j > 1 }, write: false, value: 0 });
          i = j;
        }
      }
    }
  }
}

/** Chooses actions at random from what the model holds now. */
class Chooser {
  private names = 0;
  private values = 0;
  private mremapAt = 0x7f4000000000;

  constructor(private readonly rng: Rng, private readonly g: Generator, private readonly opts: GenOptions) {}

  fill(target: number): void {
    const nProcs = this.rng.range(1, 3);
    for (let i = 0; i < nProcs; i++) this.g.apply({ a: 'process', name: this.name('p') });
    if (this.rng.chance(0.4)) this.g.apply(this.file());
    const first = this.g.live()[0]!;
    this.g.apply(this.mmapAnon(first));
    // A hunt starts with the device under test mapped: most scenarios then exercise it.
    if (this.opts.mirror !== undefined) {
      const opener = this.rng.pick(this.g.live());
      const open = this.openMirror(opener);
      if (open) this.g.apply(open);
      const view = this.mmapView(opener);
      if (view) this.g.apply(view);
    }
    let guard = 0;
    while (this.g.count < target + 4 && guard++ < 400) {
      const a = this.one();
      if (a) this.g.apply(a);
    }
  }

  private name(prefix: string): string { return `${prefix}${++this.names}`; }
  private value(): Value { return this.rng.chance(0.15) ? this.rng.range(1, 999) : `v${++this.values}`; }

  private one(): Action | undefined {
    const live = this.g.live();
    if (live.length === 0) return { a: 'process', name: this.name('p') };
    const p = this.rng.pick(live);
    const kind = this.rng.weighted({
      read: 22, write: 22, mmap: 7, file: 2, munmap: 3, mprotect: 4, madvise: 7, mremap: 1, fork: 3, exit: 1,
      kernel: 14, mirror: 3, view: 5, dmirror: 5, block: this.opts.mirror !== undefined ? 15 : 3, close: 1,
    });
    switch (kind) {
      case 'read': case 'write': {
        const r = this.range(p, kind === 'write' ? 3 : 4);
        return r ? { a: 'access', r, write: kind === 'write', value: this.value() } : this.mmapAnon(p);
      }
      case 'mmap': return this.rng.chance(0.7) || this.g.files.size === 0 ? this.mmapAnon(p) : this.mmapFile(p);
      case 'file': return this.g.files.size < 3 ? this.file() : this.mmapFile(p);
      case 'munmap': { const r = this.range(p, 4); return r && { a: 'munmap', r }; }
      case 'mprotect': { const r = this.range(p, 4); return r && { a: 'mprotect', r, prot: this.rng.pick(PROTS) }; }
      case 'madvise': { const r = this.range(p, 4); return r && { a: 'madvise', r, advice: this.rng.pick(ADVICES) }; }
      case 'mremap': {
        const rs = [...p.regions.values()];
        if (rs.length === 0) return undefined;
        this.mremapAt += 0x40000000;
        return { a: 'mremap', p: p.name, region: this.rng.pick(rs).name, to: this.mremapAt };
      }
      case 'fork': return this.g.procs.size < 6 ? { a: 'fork', p: p.name, child: this.name('c') } : undefined;
      case 'exit': return live.length > 1 && this.rng.chance(0.5) ? { a: 'exit', p: p.name } : undefined;
      case 'kernel': return this.kernel();
      case 'mirror': return this.openMirror(p);
      case 'view': return this.mmapView(p);
      case 'dmirror': return this.dmirror(p);
      case 'block': return this.block();
      case 'close': {
        const ds = [...this.g.devs.values()].filter((d) => d.fdOpen && d.opener.alive);
        return ds.length ? { a: 'close', dev: this.rng.pick(ds).name } : undefined;
      }
    }
  }

  private file(): Action {
    const name = this.name('f');
    const pages = this.rng.range(1, 8);
    return this.rng.chance(0.3)
      ? { a: 'file', name, pages, values: Array.from({ length: pages }, () => this.value()) }
      : { a: 'file', name, pages };
  }

  private mmapAnon(p: ProcM): Action {
    const huge = this.rng.chance(0.1);
    const prot: Prot = this.rng.chance(0.85) ? 'rw' : this.rng.pick(PROTS);
    return {
      a: 'mmapAnon', p: p.name, name: this.name('r'), pages: huge ? this.rng.pick([512, 520, 1024]) : this.rng.range(1, 8),
      prot, showProt: prot !== 'rw' || this.rng.chance(0.2), shared: this.rng.chance(0.25), huge,
    };
  }

  private mmapFile(p: ProcM): Action | undefined {
    if (this.g.files.size === 0) return this.file();
    const f = this.rng.pick([...this.g.files.values()]);
    const offset = this.rng.int(f.pages);
    const prot: Prot = this.rng.pick(['r', 'r', 'rw', 'rw', 'none', 'rx']);
    return {
      a: 'mmapFile', p: p.name, name: this.name('r'), file: f.name, offset, pages: this.rng.range(1, f.pages - offset),
      prot, showProt: prot !== 'r' || this.rng.chance(0.2), shared: this.rng.chance(0.5),
    };
  }

  /** A random page range of one of `p`'s regions. */
  private range(p: ProcM, maxLen: number): RangeRef | undefined {
    const rs = [...p.regions.values()];
    if (rs.length === 0) return undefined;
    const r = this.rng.pick(rs);
    const n = r.pages.length;
    if (this.rng.chance(0.15) && n <= Math.min(16, maxLen)) return { p: p.name, region: r.name, from: 0, to: n, whole: true };
    const from = this.rng.int(n);
    return { p: p.name, region: r.name, from, to: Math.min(n, from + this.rng.range(1, maxLen)), whole: false };
  }

  private anyRange(maxLen: number): RangeRef | undefined {
    const live = this.g.live().filter((p) => p.regions.size > 0);
    return live.length ? this.range(this.rng.pick(live), maxLen) : undefined;
  }

  private kernel(): Action | undefined {
    const verb = this.rng.weighted({ reclaim: 6, reclaimN: 3, migrate: 4, compact: 2, khugepaged: 2, ksm: 2, numa: 2, writeback: 2, oom: 1 });
    switch (verb) {
      case 'reclaim': case 'migrate': case 'numa': case 'khugepaged': {
        const r = this.anyRange(verb === 'khugepaged' ? 1024 : 3);
        return r && { a: 'kernelRange', verb: verb === 'numa' ? 'numa-scan' : verb, r };
      }
      case 'reclaimN': return { a: 'kernelReclaimN', n: this.rng.range(1, 16) };
      case 'compact': return { a: 'compact' };
      case 'ksm': { const x = this.anyRange(1), y = this.anyRange(1); return x && y && { a: 'ksm', x, y }; }
      case 'writeback': return this.g.files.size ? { a: 'writeback', file: this.rng.pick([...this.g.files.keys()]) } : undefined;
      case 'oom': { const live = this.g.live(); return live.length > 1 ? { a: 'oom', p: this.rng.pick(live).name } : undefined; }
    }
  }

  private openMirror(p: ProcM): Action | undefined {
    if (this.g.devs.size >= 3) return undefined;
    const target = this.rng.chance(0.85) ? this.rng.pick(this.g.live()) : p;
    let options: string, safe: boolean;
    if (this.opts.mirror !== undefined) { options = this.opts.mirror; safe = false; }
    else if (this.rng.chance(0.75)) { options = this.rng.pick(SAFE_VARIANTS); safe = true; }
    else { options = this.rng.pick(UNSAFE_VARIANTS); safe = false; }
    return { a: 'openMirror', p: p.name, name: this.name('m'), target: target.name, options, safe };
  }

  private mmapView(p: ProcM): Action | undefined {
    const devs = [...this.g.devs.values()].filter((d) => d.opener === p && d.fdOpen && d.target.alive);
    if (devs.length === 0) return this.openMirror(p);
    const dev = this.rng.pick(devs);
    const trs = [...dev.target.regions.values()];
    if (trs.length === 0) return undefined;
    const tr = this.rng.pick(trs);
    const i = this.rng.int(tr.pages.length);
    const prot: Prot = this.rng.chance(0.5) ? 'rw' : 'r';
    return {
      a: 'mmapView', p: p.name, dev: dev.name, name: this.name('v'), tregion: tr.name, i,
      pages: this.rng.range(1, Math.min(4, tr.pages.length - i)), prot, showProt: prot === 'rw' || this.rng.chance(0.3),
    };
  }

  private dmirror(p: ProcM): Action | undefined {
    const mine = [...this.g.dmirrors.entries()].find(([, o]) => o === p);
    if (!mine) return this.g.dmirrors.size < 2 ? { a: 'openDmirror', p: p.name, name: this.name('d') } : undefined;
    const r = this.range(p, 3);
    if (!r) return undefined;
    const cmd = this.rng.weighted({ read: 4, write: 4, snapshot: 1, migrate: 3 });
    return { a: 'dmirror', dev: mine[0], cmd, r, values: Array.from({ length: r.to - r.from }, () => this.value()) };
  }

  private block(): Action | undefined {
    // Explorations stay small: two threads on single pages of a small world.
    const pages = [...this.g.procs.values()].reduce((n, p) => n + [...p.regions.values()].reduce((m, r) => m + r.pages.length, 0), 0);
    // Threads in a tiny memory would meet the OOM killer, whose victim the model cannot name.
    if (this.g.plan.memory < 16) return undefined;
    const explore = (this.opts.mirror !== undefined || this.rng.chance(0.5)) && pages <= 64 && (this.g.safe || this.opts.mirror !== undefined);
    const used = new Set<string>();
    const threads: ThreadAct[] = [];
    const mirrored = this.mirrorRace();
    if (mirrored && this.rng.chance(0.7)) return { a: 'block', explore, threads: mirrored, order: this.rng.chance(0.5) ? [1, 0] : [0, 1] };
    for (let tries = 0; tries < 8 && threads.length < 2; tries++) {
      const r = this.anyRange(1);
      if (!r) return undefined;
      const t = this.rng.weighted({ read: 4, write: 3, reclaim: 3, migrate: 2, numa: 1, pageout: 1 });
      const key = `${r.p}.${r.region}[${r.from}]`;
      if ((t === 'read' || t === 'write') && used.has(key)) continue;
      used.add(key);
      threads.push({ t, p: r.p, region: r.region, i: r.from, value: this.value() });
    }
    if (threads.length < 2) return undefined;
    // Two accesses of the same page through different names (a view and its target) would
    // race on the value: one of them at most writes.
    if (threads.filter((t) => t.t === 'write').length > 1) threads.pop();
    if (threads.length < 2) return undefined;
    return { a: 'block', explore, threads, order: this.rng.chance(0.5) ? [1, 0] : [0, 1] };
  }

  /** The race of the seed thread: a mirror access against an operation on its target page. */
  private mirrorRace(): ThreadAct[] | undefined {
    const views: { p: ProcM; r: RegionM; i: number }[] = [];
    for (const p of this.g.live()) {
      for (const r of p.regions.values()) {
        if (r.kind !== 'view') continue;
        r.pages.forEach((pg, i) => { if (pg?.k === 'view' && pg.dev.target.alive) views.push({ p, r, i }); });
      }
    }
    if (views.length === 0) return undefined;
    const v = this.rng.pick(views);
    const pg = v.r.pages[v.i] as Extract<PageM, { k: 'view' }>;
    const t = lookup(pg.dev.target, pg.taddr);
    if (!t) return undefined;
    const access: ThreadAct = { t: this.rng.chance(0.7) ? 'read' : 'write', p: v.p.name, region: v.r.name, i: v.i, value: this.value() };
    const op: ThreadAct = { t: this.rng.pick(['reclaim', 'reclaim', 'migrate', 'numa', 'pageout'] as const), p: pg.dev.target.name, region: t.region.name, i: t.idx, value: 0 };
    return [access, op];
  }
}

/** The one signal every page of an access certainly ends in at its first page, if any. */
function certainSignal(outs: readonly (readonly Outcome[])[]): string | undefined {
  const first = outs[0];
  if (!first || first.length !== 1 || !first[0]!.sig) return undefined;
  return first[0]!.sig;
}

/** The one value every page of a read certainly returns, if there is one. */
function certainValue(outs: readonly (readonly Outcome[])[]): Value | undefined {
  let v: Value | undefined;
  for (const o of outs) {
    if (o.length !== 1 || o[0]!.sig || !o[0]!.values || o[0]!.values.length !== 1) return undefined;
    const x = o[0]!.values[0]!;
    if (v !== undefined && v !== x) return undefined;
    v = x;
  }
  return v;
}

/** A value as the language writes it. */
export function lit(v: Value): string {
  return typeof v === 'number' ? String(v) : JSON.stringify(v);
}

