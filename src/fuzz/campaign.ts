/**
 * `mmspec fuzz`: a campaign of generated scenarios (generate.ts), each checked four ways —
 * no internal error (exit 0 or 1), no violation with the default mirror options, every page
 * holding what it must, the same trace twice — and every failure shrunk to a minimal spec.
 * With `mirror` set it hunts instead: the first scenario in which that driver variant
 * breaks an invariant, shrunk and printed.
 */
import { runSpec } from '../run/interp.js';
import { serializeTrace } from '../run/golden.js';
import type { SpecRun } from '../run/result.js';
import { FUZZ_FILE, generateScenario, type Finding, type GenOptions } from './generate.js';

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
  readonly millis: number;
}

/** Runs a campaign. Deterministic for (seed, count, options). */
export function runCampaign(opts: CampaignOptions): CampaignReport {
  const t0 = performance.now();
  const findings: ShrunkFinding[] = [];
  const seen = new Set<string>();
  let run = 0, judged = 0, statements = 0;
  const max = opts.maxFindings ?? 5;
  for (let i = 0; i < opts.count && findings.length < max; i++) {
    const f = checkScenario(opts.seed, i, opts);
    run++;
    statements += f.statements;
    if (f.judged) judged++;
    if (f.finding) {
      const key = `${f.finding.kind}:${signature(f.finding)}`;
      if (!seen.has(key)) {
        seen.add(key);
        findings.push(shrinkFinding(f.finding, i));
      }
    }
    opts.onProgress?.(run, findings.length);
  }
  return { seed: opts.seed, run, judged, statements, findings, millis: performance.now() - t0 };
}

/** Generates scenario `index` and checks it: the generator's own finding, then two replays of its text. */
export function checkScenario(seed: number, index: number, opts: GenOptions = {}):
  { finding?: Finding; statements: number; judged: boolean; text: string } {
  const sc = generateScenario(seed, index, opts);
  const base = { statements: sc.statements, judged: sc.safe, text: sc.text };
  if (sc.finding) return { ...base, finding: sc.finding };
  return { ...base, ...replayFinding(sc.text) };
}

/** The finding of a complete spec text that the generator passed: replays must pass, alike. */
export function replayFinding(text: string): { finding?: Finding } {
  const a = runGuarded(text), b = runGuarded(text);
  if (a.crash) return { finding: { kind: 'crash', message: a.crash, spec: text } };
  const r = a.run!;
  if (r.diagnostics.length > 0) return { finding: { kind: 'rejected', message: `line ${r.diagnostics[0]!.line}: ${r.diagnostics[0]!.message}`, spec: text } };
  if (r.failures.length > 0) return { finding: { kind: 'replay', message: `line ${r.failures[0]!.line}: ${r.failures[0]!.message}`, spec: text } };
  if (b.crash || !b.run?.trace || serializeTrace(r.trace!) !== serializeTrace(b.run.trace)) {
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

/**
 * What a spec text does, as far as a finding is concerned: its crash, its first diagnostic or
 * failure, with numbers and names made generic so that a smaller spec failing the same way
 * matches. Undefined: it passes.
 */
export function outcomeKey(text: string): string | undefined {
  const a = runGuarded(text);
  if (a.crash) return `crash:${generic(a.crash)}`;
  const r = a.run!;
  if (r.diagnostics.length > 0) return `rejected:${generic(r.diagnostics[0]!.message)}`;
  if (r.failures.length > 0) return `failed:${failureClass(r.failures[0]!.message)}`;
  const b = runGuarded(text);
  if (b.crash || !b.run?.trace || serializeTrace(r.trace!) !== serializeTrace(b.run.trace)) return 'nondeterministic';
  return undefined;
}

function failureClass(message: string): string {
  const v = /^violation ([a-z-]+)/.exec(message);
  if (v) return `violation ${v[1]}`;
  if (/returned .*, expected|expected .* found/.test(message)) return 'value';
  return generic(message);
}

function generic(message: string): string {
  return message.split('\n')[0]!
    .replace(/"(?:[^"\\]|\\.)*"/g, 'V')
    .replace(/\b0x[0-9a-f]+\b/g, 'A')
    .replace(/\b[a-z]+[0-9]+\b/g, 'N')
    .replace(/\b[0-9]+\b/g, '#');
}

function signature(f: Finding): string { return generic(f.message); }

/** Units a spec can lose one at a time: a line, or a block with its outcomes. */
function units(text: string): string[][] {
  const lines = text.replace(/\n$/, '').split('\n');
  const out: string[][] = [];
  for (let i = 0; i < lines.length; i++) {
    if (/\{\s*$/.test(lines[i]!)) {
      const u = [lines[i]!];
      while (++i < lines.length) {
        u.push(lines[i]!);
        if (/^\s*\}/.test(lines[i]!)) break;
      }
      while (i + 1 < lines.length && /^expect (always|sometimes|never)\b/.test(lines[i + 1]!)) u.push(lines[++i]!);
      out.push(u);
    } else out.push([lines[i]!]);
  }
  return out;
}

const join = (us: readonly string[][]): string => us.map((u) => u.join('\n')).join('\n') + '\n';

/**
 * Shrinks a failing spec while it keeps failing the same way: removes chunks of units
 * (halves, quarters, … single lines, the `spec` line kept), then drops `expect V` of reads
 * that are not the failing one. Bounded by `budget` runs.
 */
export function shrinkSpec(text: string, budget = 1500): string {
  const key = outcomeKey(text);
  if (key === undefined) return text;
  let runs = 0;
  const still = (t: string): boolean => runs++ < budget && outcomeKey(t) === key;
  let us = units(text);
  // Values read elsewhere are not the point: they only pin what the smaller spec may lose.
  us = us.map((u, i) => {
    if (i === 0 || u.length !== 1 || !/: read .* expect "?[^"]*"?$/.test(u[0]!) || / expect SIG/.test(u[0]!)) return u;
    const bare = [u[0]!.replace(/ expect .*$/, '')];
    const cand = us.map((x, j) => (j === i ? bare : x));
    return still(join(cand)) ? bare : u;
  });
  let chunk = Math.max(1, Math.floor(us.length / 2));
  while (chunk >= 1 && runs < budget) {
    let changed = false;
    for (let start = 1; start < us.length && runs < budget;) {
      const cand = [...us.slice(0, start), ...us.slice(start + chunk)];
      if (cand.length < us.length && still(join(cand))) { us = cand; changed = true; }
      else start += chunk;
    }
    if (!changed) chunk = Math.floor(chunk / 2);
  }
  return join(us);
}

function shrinkFinding(f: Finding, index: number): ShrunkFinding {
  const lines = f.spec.split('\n').filter((l) => l.trim()).length;
  const spec = shrinkSpec(f.spec);
  return { ...f, spec, index, lines, shrunkLines: spec.split('\n').filter((l) => l.trim()).length };
}
