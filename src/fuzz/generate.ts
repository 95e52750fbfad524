/**
 * The scenario generator of `mmspec fuzz`: random but valid specs over the whole language,
 * generated *online* — each statement is appended, parsed, checked and run on an
 * Interpreter at once, so the generator always knows which processes live, where regions
 * were placed and what the OOM killer took, and so that what the simulator answers is
 * compared with the content model (model.ts) statement by statement.
 *
 * Where the model is certain of an outcome the statement is written with it (`read x[0]
 * expect "v3"`, `write … expect SIGSEGV`, `madvise … expect EINVAL`); a wrong answer then
 * fails the spec text itself, which is the finding, ready to paste. Where Linux leaves a
 * choice that the model cannot make (a lazily freed page, a snapshot-mode mirror page that
 * may be absent, what an OOM kill took), the observed outcome is written down after the
 * model allowed it, so the final text replays exactly.
 */
import type * as A from '../lang/ast.js';
import { parseSpec } from '../lang/parse.js';
import { checkSpec } from '../lang/check.js';
import { Interpreter } from '../run/exec.js';
import type { KEvent as Event } from '../kernel/events.js';
import type { Value } from '../kernel/types.js';
import { Rng } from './random.js';
import {
  PAGE, accessOutcomes, dontneed, forkPage, lazyFree, lookup, observed, readable, store, storeTarget, valuesOf, writable,
  type Cell, type DevM, type FileM, type Outcome, type PageM, type ProcM, type Prot, type RegionM,
} from './model.js';

export const FUZZ_FILE = 'fuzz.mms';

/** How a scenario is generated. */
export interface GenOptions {
  /** `check=none,lock=off`: every mirror device is opened with these (the hunt of `fuzz --mirror`). */
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

export interface Scenario {
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

/** Generates and runs scenario number `index` of campaign `seed`. Never throws. */
export function generateScenario(seed: number, index: number, opts: GenOptions = {}): Scenario {
  const g = new Generator(new Rng(seed, index), opts, `fuzz ${seed}#${index}`);
  try {
    g.body();
    g.readBack();
  } catch (e) {
    if (e instanceof Stop) return { text: g.text(), statements: g.count, safe: g.safe, finding: e.finding };
    const err = e instanceof Error ? e : new Error(String(e));
    return { text: g.text(), statements: g.count, safe: g.safe,
      finding: { kind: 'crash', message: `generator: ${err.message}`, spec: g.text() } };
  }
  return { text: g.text(), statements: g.count, safe: g.safe };
}

class Generator {
  private readonly lines: string[] = [];
  private it: Interpreter | undefined;
  private spec: { type: 'specFile'; statements: A.Statement[]; loc: A.Loc } | undefined;
  readonly procs: ProcM[] = [];
  readonly files: FileM[] = [];
  readonly devs: DevM[] = [];
  readonly dmirrors: { name: string; opener: ProcM }[] = [];
  count = 0;
  /** False once a driver variant or an OOM kill makes contents and violations unjudgeable. */
  safe = true;
  private names = 0;
  private values = 0;
  private readonly memory: number;
  private readonly target: number;

  constructor(private readonly rng: Rng, private readonly opts: GenOptions, title: string) {
    this.target = opts.length ?? rng.range(6, 40);
    this.memory = rng.weighted({ tiny: 2, small: 3, normal: 5 }) === 'tiny' ? rng.range(3, 12)
      : rng.chance(0.4) ? rng.range(16, 64) : 4096;
    this.lines.push(`spec "${title}"`);
    if (this.memory !== 4096) this.lines.push(`memory ${this.memory} frames`);
    const swap = rng.chance(0.4) ? rng.range(1, 16) : 0;
    if (swap > 0) this.lines.push(`swap ${swap} slots`);
    const header = this.lines.join('\n') + '\n';
    const parsed = parseSpec(header, FUZZ_FILE);
    if (!parsed.spec) throw new Stop({ kind: 'rejected', message: parsed.diagnostics[0]?.message ?? 'header', spec: header });
    this.spec = { type: 'specFile', statements: [], loc: parsed.spec.loc };
    this.it = new Interpreter(this.spec as unknown as A.SpecFile, header);
    for (const s of parsed.spec.statements) { this.spec.statements.push(s); this.it.step(s); }
  }

  text(): string { return this.lines.join('\n') + '\n'; }

  // ------------------------------------------------------------------ running statements

  /**
   * Appends `line`, runs it, and returns its events. A failure of the statement is returned
   * (the caller decides whether the model allowed it); a crash or a rejection stops the scenario.
   */
  private run(line: string): { events: Event[]; failure?: string } {
    this.lines.push(line);
    const text = this.text();
    const parsed = parseSpec(text, FUZZ_FILE);
    const diags = parsed.spec ? checkSpec(parsed.spec, FUZZ_FILE) : parsed.diagnostics;
    if (!parsed.spec || diags.length > 0) {
      const d = diags[0]!;
      throw new Stop({ kind: 'rejected', message: `line ${d.line}: ${d.message}`, spec: text });
    }
    const it = this.it!;
    const stmt = parsed.spec.statements[parsed.spec.statements.length - 1]!;
    this.spec!.statements.push(stmt);
    it.source = text;
    const mark = it.k.events.length;
    let ok: boolean;
    try {
      ok = it.step(stmt);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      throw new Stop({ kind: 'crash', message: `${err.name}: ${err.message}`, spec: text });
    }
    this.count++;
    const events = it.k.events.slice(mark);
    this.noteKills(events);
    if (it.badInput) throw new Stop({ kind: 'bad-input', message: it.badInput.message, spec: text });
    if (!ok) {
      const message = it.failure!.message;
      it.failure = undefined;
      return { events, failure: message };
    }
    if (it.pending) this.settleViolation();
    return { events };
  }

  /** Replaces the last line (an observed outcome written down); its tree is re-parsed. */
  private rewriteLast(line: string): void {
    this.lines[this.lines.length - 1] = line;
    const text = this.text();
    const parsed = parseSpec(text, FUZZ_FILE);
    if (!parsed.spec) throw new Stop({ kind: 'rejected', message: parsed.diagnostics[0]!.message, spec: text });
    const sts = this.spec!.statements;
    sts[sts.length - 1] = parsed.spec.statements[parsed.spec.statements.length - 1]!;
    this.it!.source = text;
  }

  /** A violation raised by the last statement: a finding, unless a variant makes it expected. */
  private settleViolation(): void {
    const p = this.it!.pending!;
    const kinds = [...new Set(p.violations.map((v) => v.kind))];
    if (this.safe && this.opts.mirror === undefined) {
      throw new Stop({ kind: 'violation', message: `violation ${kinds.join(', ')} with the default mirror options: ${p.violations[0]!.detail}`, spec: this.text() });
    }
    if (this.opts.mirror !== undefined) {
      throw new Stop({ kind: 'violation', message: `violation ${kinds.join(', ')}`, spec: this.text() });
    }
    this.run(`expect violation ${kinds[0]}`);
  }

  private noteKills(events: readonly Event[]): void {
    for (const e of events) {
      if (e.e !== 'oom') continue;
      const p = this.procs.find((x) => x.pid === e.mm);
      if (p) { p.alive = false; p.killed = true; }
      this.safe = false;
    }
  }

  // ------------------------------------------------------------------ the body

  body(): void {
    const nProcs = this.rng.range(1, 3);
    for (let i = 0; i < nProcs; i++) this.newProcess();
    if (this.rng.chance(0.4)) this.newFile();
    this.mmapAnon(this.procs[0]!);
    while (this.count < this.target + 4) this.oneStatement();
  }

  private oneStatement(): void {
    const live = this.live();
    if (live.length === 0) { this.newProcess(); return; }
    const kind = this.rng.weighted({
      read: 22, write: 22, mmap: 7, file: 3, munmap: 3, mprotect: 4, madvise: 7, mremap: 1, fork: 3, exit: 1,
      kernel: 14, mirror: 4, view: 5, dmirror: 5, block: 3, close: 1,
    });
    const p = this.rng.pick(live);
    switch (kind) {
      case 'read': return this.access(p, false);
      case 'write': return this.access(p, true);
      case 'mmap': return this.rng.chance(0.7) || this.files.length === 0 ? this.mmapAnon(p) : this.mmapFile(p);
      case 'file': return this.files.length < 3 ? this.newFile() : this.mmapFile(p);
      case 'munmap': return this.munmap(p);
      case 'mprotect': return this.mprotect(p);
      case 'madvise': return this.madvise(p);
      case 'mremap': return this.mremap(p);
      case 'fork': return this.procs.length < 6 ? this.fork(p) : this.access(p, false);
      case 'exit': return live.length > 1 && this.rng.chance(0.5) ? this.exit(p) : this.access(p, true);
      case 'kernel': return this.kernel();
      case 'mirror': return this.openMirror(p);
      case 'view': return this.mmapView(p);
      case 'dmirror': return this.dmirror(p);
      case 'block': return this.block();
      case 'close': return this.close();
    }
  }

  private live(): ProcM[] { return this.procs.filter((p) => p.alive); }
  private name(prefix: string): string { return `${prefix}${++this.names}`; }
  private value(): Value { return this.rng.chance(0.15) ? this.rng.range(1, 999) : `v${++this.values}`; }

  private newProcess(): void {
    const name = this.name('p');
    this.run(`process ${name}`);
    this.procs.push({ name, pid: this.it!.w.proc(name).pid, alive: true, killed: false, regions: new Map() });
  }

  private newFile(): void {
    const name = this.name('f');
    const pages = this.rng.range(1, 8);
    if (this.rng.chance(0.3)) {
      const vals = Array.from({ length: pages }, () => this.value());
      this.run(`file ${name} pages ${pages} = ${vals.map(lit).join(', ')}`);
      this.files.push({ name, pages, cells: vals.map((v) => ({ v, lazy: false })) });
    } else {
      this.run(`file ${name} pages ${pages}`);
      this.files.push({ name, pages, cells: Array.from({ length: pages }, (_, i) => ({ v: `${name}:${i}`, lazy: false })) });
    }
  }

  /** Adds the region the interpreter placed (mmap succeeded) to the model. */
  private placed(p: ProcM, name: string, r: Omit<RegionM, 'start' | 'name'>): void {
    const reg = this.it!.w.proc(p.name).regions.get(name);
    if (!reg) throw new Stop({ kind: 'failed', message: `mmap of ${name} placed nothing`, spec: this.text() });
    p.regions.delete(name);
    p.regions.set(name, { ...r, name, start: reg.start });
  }

  private mmapAnon(p: ProcM): void {
    const name = this.name('r');
    const huge = this.rng.chance(0.1);
    const pages = huge ? this.rng.pick([512, 520, 1024]) : this.rng.range(1, 8);
    const shared = this.rng.chance(0.25);
    const prot: Prot = this.rng.chance(0.85) ? 'rw' : this.rng.pick(PROTS);
    const words = [`${p.name}: mmap anon ${name} pages ${pages}`];
    if (prot !== 'rw' || this.rng.chance(0.2)) words.push(prot);
    if (shared) words.push('shared');
    if (huge) words.push('huge');
    const r = this.run(words.join(' '));
    if (r.failure) throw new Stop({ kind: 'failed', message: r.failure, spec: this.text() });
    this.placed(p, name, {
      kind: 'anon', shared, huge, pages: Array.from({ length: pages }, (): PageM => ({ k: 'anon', cell: { v: 0, lazy: false } })),
      prots: Array.from({ length: pages }, () => prot),
    });
  }

  private mmapFile(p: ProcM): void {
    if (this.files.length === 0) return this.newFile();
    const f = this.rng.pick(this.files);
    const name = this.name('r');
    const offset = this.rng.int(f.pages);
    const pages = this.rng.range(1, f.pages - offset);
    const shared = this.rng.chance(0.5);
    const prot: Prot = this.rng.pick(['r', 'r', 'rw', 'rw', 'none', 'rx']);
    const words = [`${p.name}: mmap file ${name} ${f.name}`];
    if (offset > 0) words.push(`offset ${offset}`);
    words.push(`pages ${pages}`);
    if (prot !== 'r' || this.rng.chance(0.2)) words.push(prot);
    if (shared) words.push('shared');
    const r = this.run(words.join(' '));
    if (r.failure) throw new Stop({ kind: 'failed', message: r.failure, spec: this.text() });
    this.placed(p, name, {
      kind: 'file', shared, huge: false, file: f,
      pages: Array.from({ length: pages }, (_, i): PageM => ({ k: 'file', file: f, idx: offset + i })),
      prots: Array.from({ length: pages }, () => prot),
    });
  }

  /** A random region of `p` (optionally with a condition) and a slice of it. */
  private slice(p: ProcM, pred: (r: RegionM) => boolean = () => true, maxLen = 4):
    { r: RegionM; from: number; to: number; text: string } | undefined {
    const rs = [...p.regions.values()].filter(pred);
    if (rs.length === 0) return undefined;
    const r = this.rng.pick(rs);
    const n = r.pages.length;
    const whole = this.rng.chance(0.15) && n <= Math.min(16, maxLen);
    const from = whole ? 0 : this.rng.int(n);
    const to = whole ? n : Math.min(n, from + this.rng.range(1, maxLen));
    const text = whole ? r.name : to - from === 1 ? `${r.name}[${from}]` : `${r.name}[${from}..${to}]`;
    return { r, from, to, text };
  }

  private addrOf(r: RegionM, i: number): number { return r.start + i * PAGE; }

  // ------------------------------------------------------------------ accesses

  private access(p: ProcM, write: boolean): void {
    const s = this.slice(p, undefined, write ? 3 : 4);
    if (!s) return this.mmapAnon(p);
    const outs: Outcome[][] = [];
    for (let i = s.from; i < s.to; i++) outs.push([...accessOutcomes(p, this.addrOf(s.r, i), write)]);
    const v = write ? this.value() : undefined;
    const line = `${p.name}: ${write ? `write ${s.text} ${lit(v!)}` : `read ${s.text}`}`;
    const sig = certainSignal(outs);
    const vals = write ? undefined : certainValue(outs);
    const annotated = sig ? `${line} expect ${sig}` : vals !== undefined ? `${line} expect ${lit(vals)}` : line;
    const r = this.run(annotated);
    const signal = r.events.find((e): e is Extract<Event, { e: 'signal' }> => e.e === 'signal' && e.mm === p.pid);
    const killedNow = r.events.some((e) => e.e === 'oom');
    if (r.failure && (sig || vals !== undefined) && !killedNow) {
      throw new Stop({ kind: sig ? 'signal' : 'lost', message: r.failure, spec: this.text() });
    }
    // Which pages the access reached: a signal stops it at the page that faulted.
    const reached = signal ? Math.round((signal.addr - s.r.start) / PAGE) - s.from : s.to - s.from;
    if (signal && !sig) {
      const allowed = killedNow || outs[reached]?.length === 0 || outs[reached]?.some((o) => o.sig === signal.sig);
      if (!allowed) {
        this.rewriteLast(`${line}${vals !== undefined ? ` expect ${lit(vals)}` : ''}`);
        throw new Stop({ kind: 'signal', message: `${write ? 'write to' : 'read of'} ${s.text} got ${signal.sig}: ${signal.reason}`, spec: this.text() });
      }
      this.rewriteLast(`${line} expect ${signal.sig}`);
    } else if (r.failure && !killedNow) {
      throw new Stop({ kind: 'failed', message: r.failure, spec: this.text() });
    } else if (r.failure) {
      this.rewriteLast(line);
    }
    if (!signal && sig) return; // (the run failed above)
    const reads = r.events.filter((e): e is Extract<Event, { e: 'access' }> => e.e === 'access' && e.mm === p.pid && e.op === 'read');
    for (let j = 0; j < reached; j++) {
      const addr = this.addrOf(s.r, s.from + j);
      if (write) {
        const t = storeTarget(p, addr);
        if (t) store(t.region, t.idx, t.page, v!);
        continue;
      }
      const got = reads.find((e) => e.addr === addr);
      const allowedVals = outs[j]!.length === 0 ? undefined : outs[j]!.find((o) => o.values)?.values;
      if (got && allowedVals && !allowedVals.includes(got.value) && this.safe && !killedNow) {
        this.rewriteLast(`${p.name}: read ${s.r.name}[${s.from + j}] expect ${lit(allowedVals[0]!)}`);
        throw new Stop({ kind: 'lost', message: `read of ${s.r.name}[${s.from + j}] returned ${lit(got.value)}, expected ${allowedVals.map(lit).join(' or ')}`, spec: this.text() });
      }
      const hit = lookup(p, addr);
      if (got && hit) {
        const t = hit.page.k === 'view' ? lookup(hit.page.dev.target, hit.page.taddr) : hit;
        if (t) observed(t.page, got.value);
      }
    }
  }

  // ------------------------------------------------------------------ system calls

  /** Runs a system call whose errno the model may know (`expect`), or writes down what it did. */
  private syscall(line: string, errno: string | undefined | null): string | undefined {
    // errno: a string = certain failure; undefined = certain success; null = either.
    const r = this.run(errno ? `${line} expect ${errno}` : line);
    const got = r.events.find((e): e is Extract<Event, { e: 'errno' }> => e.e === 'errno');
    if (r.failure && errno !== null) throw new Stop({ kind: 'errno', message: r.failure, spec: this.text() });
    if (r.failure && got) { this.rewriteLast(`${line} expect ${got.errno}`); return got.errno; }
    if (r.failure) throw new Stop({ kind: 'failed', message: r.failure, spec: this.text() });
    return errno ?? undefined;
  }

  private munmap(p: ProcM): void {
    const s = this.slice(p);
    if (!s) return;
    this.syscall(`${p.name}: munmap ${s.text}`, undefined);
    for (let i = s.from; i < s.to; i++) s.r.pages[i] = null;
  }

  private fullyMapped(s: { r: RegionM; from: number; to: number }): boolean {
    for (let i = s.from; i < s.to; i++) if (!s.r.pages[i]) return false;
    return true;
  }

  private mprotect(p: ProcM): void {
    const s = this.slice(p, (r) => r.kind !== 'view' || r.dev!.safe);
    if (!s) return;
    const prot = this.rng.pick(PROTS);
    // Linux refuses a range with holes (ENOMEM) and PROT_WRITE on a shared mapping of a file
    // or device not opened for writing; the model only asks what it knows.
    const known = this.fullyMapped(s) && (s.r.kind === 'anon' || (s.r.kind === 'file' && !s.r.shared));
    const errno = this.syscall(`${p.name}: mprotect ${s.text} ${prot}`, known ? undefined : null);
    if (errno === undefined) for (let i = s.from; i < s.to; i++) if (s.r.pages[i]) s.r.prots[i] = prot;
  }

  private madvise(p: ProcM): void {
    const s = this.slice(p);
    if (!s) return;
    const advice = this.rng.pick(ADVICES);
    const mapped = this.fullyMapped(s);
    let errno: string | undefined | null = null;
    if (mapped && s.r.kind === 'anon' && !s.r.shared && advice !== 'collapse') errno = undefined;
    else if (mapped && advice === 'free' && (s.r.kind === 'file' || s.r.shared)) errno = 'EINVAL';
    else if (mapped && s.r.kind !== 'view' && ['dontneed', 'pageout', 'cold', 'willneed'].includes(advice)) errno = undefined;
    const got = this.syscall(`${p.name}: madvise ${s.text} ${advice}`, errno);
    if (got !== undefined) return;
    for (let i = s.from; i < s.to; i++) {
      if (advice === 'dontneed') dontneed(s.r, i);
      if (advice === 'free') lazyFree(s.r, i);
    }
  }

  private mremapAt = 0x7f4000000000;
  private mremap(p: ProcM): void {
    const rs = [...p.regions.values()].filter((r) => r.pages.every((x) => x) && r.kind !== 'view');
    if (rs.length === 0) return;
    const r = this.rng.pick(rs);
    this.mremapAt += 0x40000000;
    const errno = this.syscall(`${p.name}: mremap ${r.name} to 0x${this.mremapAt.toString(16)}`, null);
    if (errno === undefined) r.start = this.mremapAt;
  }

  private fork(p: ProcM): void {
    const name = this.name('c');
    this.run(`${p.name}: fork ${name}`);
    const child: ProcM = { name, pid: this.it!.w.proc(name).pid, alive: true, killed: false, regions: new Map() };
    for (const [n, r] of p.regions) {
      child.regions.set(n, { ...r, pages: r.pages.map((x) => (x ? forkPage(r, x) : null)), prots: [...r.prots] });
    }
    this.procs.push(child);
  }

  private exit(p: ProcM): void {
    this.run(`${p.name}: exit`);
    p.alive = false;
  }

  // ------------------------------------------------------------------ kernel events

  private pageRange(maxLen = 3): string | undefined {
    const live = this.live().filter((p) => p.regions.size > 0);
    if (live.length === 0) return undefined;
    const p = this.rng.pick(live);
    const s = this.slice(p, undefined, maxLen)!;
    return `${p.name}.${s.text}`;
  }

  private kernel(): void {
    const verb = this.rng.weighted({ reclaim: 6, reclaimN: 3, migrate: 4, compact: 2, khugepaged: 2, ksm: 2, numa: 2, writeback: 2, oom: 1 });
    let line: string | undefined;
    switch (verb) {
      case 'reclaim': { const r = this.pageRange(); if (r) line = `kernel: reclaim ${r}`; break; }
      case 'reclaimN': line = `kernel: reclaim ${this.rng.range(1, 16)}`; break;
      case 'migrate': { const r = this.pageRange(); if (r) line = `kernel: migrate ${r}`; break; }
      case 'compact': line = 'kernel: compact'; break;
      case 'khugepaged': { const r = this.pageRange(1024); if (r) line = `kernel: khugepaged ${r}`; break; }
      case 'ksm': { const a = this.pageRange(1), b = this.pageRange(1); if (a && b) line = `kernel: ksm ${a} and ${b}`; break; }
      case 'numa': { const r = this.pageRange(); if (r) line = `kernel: numa-scan ${r}`; break; }
      case 'writeback': if (this.files.length > 0) line = `kernel: writeback ${this.rng.pick(this.files).name}`; break;
      case 'oom': { const live = this.live(); if (live.length > 1) { const v = this.rng.pick(live); line = `kernel: oom ${v.name}`; v.alive = false; v.killed = true; this.safe = false; } break; }
    }
    if (!line) return;
    const r = this.run(line);
    if (r.failure) throw new Stop({ kind: 'failed', message: r.failure, spec: this.text() });
  }

  // ------------------------------------------------------------------ devices

  private mirrorOptions(): { options: string; safe: boolean } {
    if (this.opts.mirror !== undefined) return { options: this.opts.mirror, safe: false };
    if (this.rng.chance(0.75)) return { options: this.rng.pick(SAFE_VARIANTS), safe: true };
    return { options: this.rng.pick(UNSAFE_VARIANTS), safe: false };
  }

  private openMirror(p: ProcM): void {
    if (this.devs.length >= 3) return this.mmapView(p);
    const live = this.live();
    const target = this.rng.chance(0.85) ? this.rng.pick(live) : p;
    const name = this.name('m');
    const { options, safe } = this.mirrorOptions();
    if (!safe) this.safe = false;
    this.run(`${p.name}: open mirror ${name} of ${target.name}${options ? ` with ${options}` : ''}`);
    this.devs.push({
      name, opener: p, target, options, safe, fdOpen: true,
      fault: /fault=snapshot/.test(options) ? 'snapshot' : 'hmm', copyOnFork: /fork=copy/.test(options),
    });
  }

  private mmapView(p: ProcM): void {
    const devs = this.devs.filter((d) => d.opener === p && d.fdOpen && d.target.alive);
    if (devs.length === 0) return this.openMirror(p);
    const dev = this.rng.pick(devs);
    const trs = [...dev.target.regions.values()];
    if (trs.length === 0) return;
    const tr = this.rng.pick(trs);
    const i = this.rng.int(tr.pages.length);
    const pages = this.rng.range(1, Math.min(4, tr.pages.length - i));
    const prot: Prot = this.rng.chance(0.5) ? 'rw' : 'r';
    const name = this.name('v');
    const words = [`${p.name}: mmap ${dev.name} ${name} pages ${pages} target ${dev.target.name}.${tr.name}[${i}]`];
    if (prot === 'rw' || this.rng.chance(0.3)) words.push(prot);
    const r = this.run(words.join(' '));
    if (r.failure) throw new Stop({ kind: 'failed', message: r.failure, spec: this.text() });
    const taddr = tr.start + i * PAGE;
    this.placed(p, name, {
      kind: 'view', shared: true, huge: false, dev,
      pages: Array.from({ length: pages }, (_, j): PageM => ({ k: 'view', dev, taddr: taddr + j * PAGE, copy: false })),
      prots: Array.from({ length: pages }, () => prot),
    });
  }

  private close(): void {
    const devs = this.devs.filter((d) => d.fdOpen && d.opener.alive);
    if (devs.length === 0) return;
    const d = this.rng.pick(devs);
    this.run(`${d.opener.name}: close ${d.name}`);
    d.fdOpen = false;
  }

  private dmirror(p: ProcM): void {
    let d = this.dmirrors.find((x) => x.opener === p);
    if (!d) {
      if (this.dmirrors.length >= 2) return this.access(p, false);
      d = { name: this.name('d'), opener: p };
      this.run(`${p.name}: open dmirror ${d.name}`);
      this.dmirrors.push(d);
      return;
    }
    const s = this.slice(p, undefined, 3);
    if (!s) return;
    const cmd = this.rng.weighted({ read: 4, write: 4, snapshot: 1, migrate: 3 });
    const errs = new Set<string>();
    const vals: (Value | undefined)[] = [];
    let uncertain = !this.safe;
    for (let i = s.from; i < s.to; i++) {
      const page = s.r.pages[i], prot = s.r.prots[i]!;
      // hmm_range_fault: no VMA, a PFNMAP/IO VMA or no VM_READ → -EFAULT; a write to a VMA
      // without VM_WRITE → -EPERM.
      if (!page || page.k === 'view' || !readable(prot)) errs.add('EFAULT');
      else if (cmd === 'write' && !writable(prot)) errs.add('EPERM');
      else {
        const v = valuesOf(page);
        if (!v || v.length !== 1) uncertain = true;
        vals.push(v?.[0]);
      }
    }
    const certainErr = errs.size === 1 && vals.length === 0 ? [...errs][0] : undefined;
    if (errs.size > 0 && !certainErr) uncertain = true;
    const base = `dmirror ${d.name}`;
    switch (cmd) {
      case 'read': {
        const exp = certainErr ? ` expect ${certainErr}` : !uncertain && errs.size === 0 ? ` expect ${vals.map((v) => lit(v!)).join(', ')}` : '';
        const r = this.run(`${p.name}: ${base} read ${s.text}${exp}`);
        if (r.failure && exp) throw new Stop({ kind: certainErr ? 'errno' : 'lost', message: r.failure, spec: this.text() });
        if (r.failure) this.writeDownErrno(`${p.name}: ${base} read ${s.text}`, r);
        return;
      }
      case 'write': {
        const vs = Array.from({ length: s.to - s.from }, () => this.value());
        const line = `${p.name}: ${base} write ${s.text} = ${vs.map(lit).join(', ')}`;
        const r = this.run(certainErr ? `${line} expect ${certainErr}` : line);
        if (r.failure && (certainErr || errs.size === 0)) throw new Stop({ kind: 'errno', message: r.failure, spec: this.text() });
        if (r.failure) { this.writeDownErrno(line, r); return; }
        if (certainErr) return;
        for (let i = s.from; i < s.to; i++) { const pg = s.r.pages[i]; if (pg) store(s.r, i, pg, vs[i - s.from]!); }
        return;
      }
      case 'snapshot': {
        const r = this.run(`${p.name}: ${base} snapshot ${s.text}`);
        if (r.failure) this.writeDownErrno(`${p.name}: ${base} snapshot ${s.text}`, r);
        return;
      }
      case 'migrate': {
        const r = this.run(`${p.name}: ${base} migrate ${s.text}`);
        if (r.failure) this.writeDownErrno(`${p.name}: ${base} migrate ${s.text}`, r);
        return;
      }
    }
  }

  private writeDownErrno(line: string, r: { events: Event[]; failure?: string }): void {
    const got = r.events.find((e): e is Extract<Event, { e: 'errno' }> => e.e === 'errno');
    const errno = got?.errno ?? /failed with ([A-Z]+)/.exec(r.failure ?? '')?.[1];
    if (!errno) throw new Stop({ kind: 'failed', message: r.failure!, spec: this.text() });
    this.rewriteLast(`${line} expect ${errno}`);
  }

  // ------------------------------------------------------------------ race and explore

  /** A thread statement that touches one page and that the model can follow in any order. */
  private threadStmt(used: Set<string>): { text: string; write?: { p: ProcM; addr: number; v: Value } } | undefined {
    const live = this.live().filter((p) => p.regions.size > 0);
    if (live.length === 0) return undefined;
    const p = this.rng.pick(live);
    const rs = [...p.regions.values()];
    const r = this.rng.pick(rs);
    const i = this.rng.int(r.pages.length);
    const page = r.pages[i];
    if (!page) return undefined;
    const addr = this.addrOf(r, i);
    const key = `${p.name}@${addr}`;
    const what = this.rng.weighted({ read: 4, write: 3, reclaim: 3, migrate: 2, numa: 1, pageout: 1 });
    const outs = accessOutcomes(p, addr, what === 'write');
    const clean = outs.length === 1 && !outs[0]!.sig;
    if ((what === 'read' || what === 'write') && (!clean || used.has(key))) return undefined;
    used.add(key);
    if (page.k === 'view') {
      const t = lookup(page.dev.target, page.taddr);
      if (t) used.add(`${page.dev.target.name}@${page.taddr}`);
    }
    switch (what) {
      case 'read': return { text: `${p.name}: read ${r.name}[${i}]` };
      case 'write': { const v = this.value(); return { text: `${p.name}: write ${r.name}[${i}] ${lit(v)}`, write: { p, addr, v } }; }
      case 'reclaim': return { text: `kernel: reclaim ${p.name}.${r.name}[${i}]` };
      case 'migrate': return { text: `kernel: migrate ${p.name}.${r.name}[${i}]` };
      case 'numa': return { text: `kernel: numa-scan ${p.name}.${r.name}[${i}]` };
      case 'pageout': return r.kind === 'view' ? undefined : { text: `${p.name}: madvise ${r.name}[${i}] pageout` };
    }
  }

  private block(): void {
    // Explorations stay small: two threads on single pages of a small world.
    const pages = this.procs.reduce((n, p) => n + [...p.regions.values()].reduce((m, r) => m + r.pages.length, 0), 0);
    const explore = this.rng.chance(0.5) && pages <= 64 && this.memory >= 16 && (this.safe || this.opts.mirror !== undefined);
    const used = new Set<string>();
    const threads: { text: string; write?: { p: ProcM; addr: number; v: Value } }[] = [];
    for (let tries = 0; tries < 8 && threads.length < 2; tries++) {
      const t = this.threadStmt(used);
      if (t) threads.push(t);
    }
    if (threads.length < 2) return;
    // A view read in a block and a write to its target page would race on the value.
    const lines = threads.map((t, i) => `  t${i + 1} = ${t.text}`);
    const order = this.rng.chance(0.5) ? ['t2', 't1'] : ['t1', 't2'];
    const text = explore
      ? `explore {\n${lines.join('\n')}\n}\nexpect never violation`
      : `race {\n${lines.join('\n')}\n} schedule ${order.join(', ')}`;
    const r = this.run(text);
    if (r.failure) {
      throw new Stop({ kind: /violation/.test(r.failure) ? 'violation' : 'failed', message: r.failure.split('\n')[0]!, spec: this.text() });
    }
    for (const t of threads) {
      if (!t.write) continue;
      const hit = storeTarget(t.write.p, t.write.addr);
      if (hit) store(hit.region, hit.idx, hit.page, t.write.v);
    }
  }

  // ------------------------------------------------------------------ the read-back

  /** Every page of every living process read back through every mapping: nothing lost. */
  readBack(): void {
    for (const p of this.live()) {
      for (const r of p.regions.values()) {
        let i = 0;
        while (i < r.pages.length) {
          if (!r.pages[i] || !readable(r.prots[i]!)) { i++; continue; }
          if (r.kind === 'view') { this.readOne(p, r, i); i++; continue; }
          let j = i;
          while (j < r.pages.length && r.pages[j] && readable(r.prots[j]!) && j - i < 64) j++;
          this.readRun(p, r, i, j);
          i = j;
        }
      }
    }
  }

  private readOne(p: ProcM, r: RegionM, i: number): void {
    this.readSlice(p, r, i, i + 1);
  }

  private readRun(p: ProcM, r: RegionM, from: number, to: number): void {
    this.readSlice(p, r, from, to);
  }

  private readSlice(p: ProcM, r: RegionM, from: number, to: number): void {
    const s = { r, from, to, text: to - from === 1 ? `${r.name}[${from}]` : from === 0 && to === r.pages.length ? r.name : `${r.name}[${from}..${to}]` };
    const outs: Outcome[][] = [];
    for (let i = from; i < to; i++) outs.push([...accessOutcomes(p, this.addrOf(r, i), false)]);
    const line = `${p.name}: read ${s.text}`;
    const sig = certainSignal(outs), vals = certainValue(outs);
    const r2 = this.run(sig ? `${line} expect ${sig}` : vals !== undefined ? `${line} expect ${lit(vals)}` : line);
    const signal = r2.events.find((e): e is Extract<Event, { e: 'signal' }> => e.e === 'signal' && e.mm === p.pid);
    if (r2.failure && (sig || vals !== undefined || !signal)) {
      throw new Stop({ kind: sig ? 'signal' : vals !== undefined ? 'lost' : 'failed', message: r2.failure, spec: this.text() });
    }
    if (signal) {
      const k = Math.round((signal.addr - r.start) / PAGE) - from;
      if (!(outs[k]?.length === 0 || outs[k]?.some((o) => o.sig === signal.sig)) && this.safe) {
        throw new Stop({ kind: 'signal', message: r2.failure ?? `read of ${s.text} got ${signal.sig}`, spec: this.text() });
      }
      this.rewriteLast(`${line} expect ${signal.sig}`);
      return;
    }
    if (!this.safe) return;
    const reads = r2.events.filter((e): e is Extract<Event, { e: 'access' }> => e.e === 'access' && e.mm === p.pid && e.op === 'read');
    for (let j = 0; j < to - from; j++) {
      const addr = this.addrOf(r, from + j);
      const got = reads.find((e) => e.addr === addr);
      const allowed = outs[j]!.find((o) => o.values)?.values;
      if (got && allowed && !allowed.includes(got.value)) {
        this.rewriteLast(`${p.name}: read ${r.name}[${from + j}] expect ${lit(allowed[0]!)}`);
        throw new Stop({ kind: 'lost', message: `read of ${r.name}[${from + j}] returned ${lit(got.value)}, expected ${allowed.map(lit).join(' or ')}`, spec: this.text() });
      }
    }
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

export type { Cell };
