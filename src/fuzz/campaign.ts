/**
 * `mmspec fuzz`: a campaign of generated scenarios (generate.ts), each checked four ways —
 * no internal error (exit 0 or 1), no violation with the default mirror options, every page
 * holding what it must, the same trace twice — and every failure shrunk to a minimal spec.
 * With `mirror` set it hunts instead: the first scenario in which that driver variant
 * breaks an invariant, shrunk and printed.
 */
import { runSpec } from '../run/interp.js';
import type { SpecRun } from '../run/result.js';
import { FUZZ_FILE, generateScenario, replayPlan, type Action, type Finding, type GenOptions, type ScenarioPlan } from './generate.js';

export interface CampaignOptions extends GenOptions {
  readonly seed: number;
  readonly count: number;
  /** Stop after this many findings (default 5): each is shrunk, which costs hundreds of runs. */
  readonly maxFindings?: number;
  /** Called after each scenario (a progress line). */
  readonly onProgress?: (done: number, findings: number) => void;
}

export interface ShrunkFinding extends Finding {
  /** The scenario's index in the campaign: `--seed S --index I` regenerates it. */
  readonly index: number;
  /** Statements of the generated spec, and of the shrunk one. */
  readonly lines: number;
  readonly shrunkLines: number;
}

export interface CampaignReport {
  readonly seed: number;
  readonly run: number;
  /** Scenarios whose contents and violations the model could judge. */
  readonly judged: number;
  readonly statements: number;
  readonly findings: readonly ShrunkFinding[];
  /** Scenarios that found something (a finding seen before counts again here). */
  readonly failed: number;
  readonly millis: number;
}

/** Runs a campaign. Deterministic for (seed, count, options). */
export function runCampaign(opts: CampaignOptions): CampaignReport {
  const t0 = performance.now();
  const findings: ShrunkFinding[] = [];
  const seen = new Set<string>();
  let run = 0, judged = 0, statements = 0, failed = 0;
  const max = opts.maxFindings ?? 5;
  for (let i = 0; i < opts.count && findings.length < max; i++) {
    const f = checkScenario(opts.seed, i, opts);
    run++;
    statements += f.statements;
    if (f.judged) judged++;
    // A hunt (--mirror) looks for the variant's own violations: ones the default design, in
    // the same scenario, does not have too.
    if (f.finding && (opts.mirror === undefined || (f.finding.kind === 'violation' && !defaultsBreak(f.plan)))) {
      failed++;
      const key = findingKey(f.finding);
      if (!seen.has(key)) {
        seen.add(key);
        findings.push(shrinkFinding(f.finding, f.plan, opts, i));
      }
    }
    opts.onProgress?.(run, findings.length);
  }
  return { seed: opts.seed, run, judged, statements, findings, failed, millis: performance.now() - t0 };
}

/** Generates scenario `index` and checks it: the generator's own finding, then two replays of its text. */
export function checkScenario(seed: number, index: number, opts: GenOptions = {}):
  { finding?: Finding; statements: number; judged: boolean; text: string; plan: ScenarioPlan } {
  const sc = generateScenario(seed, index, opts);
  const finding = judged(sc);
  return { statements: sc.statements, judged: sc.safe, text: sc.text, plan: sc.plan, ...(finding ? { finding } : {}) };
}

/** A realised scenario's finding: the generator's own, else what the replays of its text show. */
function judged(sc: { finding?: Finding; text: string }): Finding | undefined {
  return sc.finding ?? replayFinding(sc.text).finding;
}

/** The finding of a complete spec text that the generator passed: replays must pass, alike. */
export function replayFinding(text: string): { finding?: Finding } {
  const a = runGuarded(text), b = runGuarded(text);
  if (a.crash) return { finding: { kind: 'crash', message: a.crash, spec: text } };
  const r = a.run!;
  if (r.diagnostics.length > 0) return { finding: { kind: 'rejected', message: `line ${r.diagnostics[0]!.line}: ${r.diagnostics[0]!.message}`, spec: text } };
  if (r.failures.length > 0) return { finding: { kind: 'replay', message: `line ${r.failures[0]!.line}: ${r.failures[0]!.message}`, spec: text } };
  if (b.crash || !b.run?.trace || JSON.stringify(r.trace) !== JSON.stringify(b.run.trace)) {
    return { finding: { kind: 'nondeterministic', message: 'the same spec gave two different traces', spec: text } };
  }
  return {};
}

function runGuarded(text: string): { run?: SpecRun; crash?: string } {
  try {
    return { run: runSpec(text, FUZZ_FILE) };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    return { crash: `${err.name}: ${err.message}` };
  }
}

// ---------------------------------------------------------------- shrinking

/** A finding's kind and its message with names and numbers made generic: what a shrink keeps. */
function findingKey(f: Finding): string {
  return `${f.kind}:${generic(f.message)}`;
}

function generic(message: string): string {
  return message.split('\n')[0]!
    .replace(/"(?:[^"\\]|\\.)*"/g, 'V')
    .replace(/\b0x[0-9a-f]+\b/g, 'A')
    .replace(/\b[a-z]+[0-9]+\b/g, 'N')
    .replace(/\b[0-9]+\b/g, '#');
}

/** Runs a plan and its replays, as checkScenario does for a generated one. */
function checkPlan(plan: ScenarioPlan, opts: GenOptions): Finding | undefined {
  const f = judged(replayPlan(plan, opts));
  if (f && opts.mirror !== undefined && f.kind === 'violation' && defaultsBreak(plan)) return undefined;
  return f;
}

/** Whether the same scenario with every mirror device at its default options breaks an invariant too. */
function defaultsBreak(plan: ScenarioPlan): boolean {
  const actions = plan.actions.map((a): Action => (a.a === 'openMirror' ? { ...a, options: '', safe: true } : a));
  return judged(replayPlan({ ...plan, actions }))?.kind === 'violation';
}

/**
 * Shrinks a failing scenario while it keeps failing the same way: drops chunks of its
 * actions (halves, quarters, … single ones) and realises the rest again, so every
 * expectation of the smaller spec is the model's. Bounded by `budget` replays.
 */
export function shrinkPlan(plan: ScenarioPlan, finding: Finding, opts: GenOptions, budget = 400): Finding {
  // A hunt wants the smallest scenario that breaks the variant at all, whichever invariant.
  const keyOf = opts.mirror !== undefined && finding.kind === 'violation' ? (f: Finding) => f.kind : findingKey;
  const key = keyOf(finding);
  let best = finding;
  let runs = 0;
  const still = (cand: ScenarioPlan): boolean => {
    if (runs++ >= budget) return false;
    const f = checkPlan(cand, opts);
    if (f && keyOf(f) === key) { best = f; return true; }
    return false;
  };
  let actions = [...plan.actions];
  let chunk = Math.max(1, Math.floor(actions.length / 2));
  while (chunk >= 1 && runs < budget) {
    let changed = false;
    for (let start = 0; start < actions.length && runs < budget;) {
      const cand = [...actions.slice(0, start), ...actions.slice(start + chunk)];
      if (still({ ...plan, actions: cand })) { actions = cand; changed = true; } else start += chunk;
    }
    if (!changed) chunk = Math.floor(chunk / 2);
  }
  // Then simpler actions: a small ordinary mapping instead of a huge one, fewer pages.
  for (let i = 0; i < actions.length && runs < budget; i++) {
    for (const simpler of simplerVariants(actions[i]!)) {
      const cand = actions.map((a, j) => (j === i ? simpler : a));
      if (still({ ...plan, actions: cand })) { actions = cand; break; }
    }
  }
  // The header too: a scenario that fails with the default memory and swap says so.
  let small: ScenarioPlan = { ...plan, actions };
  for (const header of [{ memory: 4096 }, { swap: 4096 }]) {
    const cand = { ...small, ...header };
    if ((cand.memory !== small.memory || cand.swap !== small.swap) && still(cand)) small = cand;
  }
  return best;
}

/** Simpler versions of an action, simplest first. */
function simplerVariants(a: Action): Action[] {
  switch (a.a) {
    case 'mmapAnon': {
      const out: Action[] = [];
      if (a.huge) out.push({ ...a, huge: false, pages: Math.min(a.pages, 8) }, { ...a, huge: false });
      else if (a.pages > 1) out.push({ ...a, pages: 1 }, { ...a, pages: Math.max(1, a.pages >> 1) });
      if (a.shared) out.push({ ...a, shared: false });
      return out;
    }
    case 'access': return a.r.to - a.r.from > 1 ? [{ ...a, r: { ...a.r, to: a.r.from + 1, whole: false } }] : [];
    default: return [];
  }
}

function shrinkFinding(f: Finding, plan: ScenarioPlan, opts: GenOptions, index: number): ShrunkFinding {
  const lines = f.spec.split('\n').filter((l) => l.trim()).length;
  const small = shrinkPlan(plan, f, opts);
  return { ...small, index, lines, shrunkLines: small.spec.split('\n').filter((l) => l.trim()).length };
}
