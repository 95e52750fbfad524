/**
 * The suite: finding specs and goldens on disk, and judging one spec's run (its own
 * verdict plus its golden). Shared by the CLI and the vitest runtime, so that both
 * judge a spec the same way.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import {
  goldenProblem, judgeGolden, shownPath, specForGolden,
  type GoldenMode, type GoldenOutcome, type GoldenRef,
} from './golden.js';
import type { SpecRun } from './result.js';

/** Runs one spec (src/run/interp.ts's runSpec, or a fake in tests). */
export type SpecRunner = (source: string, file: string) => SpecRun;

export type SpecStatus = 'passed' | 'failed' | 'bad-input';

/** The verdict on one spec. */
export interface SpecResult {
  /** The spec's path as shown (and as given to the interpreter). */
  readonly file: string;
  readonly title: string;
  readonly status: SpecStatus;
  /** Undefined only when the runner threw (internalError is set). */
  readonly run?: SpecRun;
  /** Undefined when no golden applies: outside specs/, bad input, failed, or thrown. */
  readonly golden?: GoldenOutcome;
  /** What the runner threw: a simulator bug, not a property of the spec. */
  readonly internalError?: unknown;
}

/**
 * The project whose suite a spec file belongs to: the parent of the nearest `specs` folder
 * above the file, if that parent holds a package.json; else undefined. A spec's golden is
 * found from the spec's own place, wherever the command runs from.
 */
export function suiteRootOf(specAbs: string): string | undefined {
  for (let dir = dirname(resolve(specAbs)); dirname(dir) !== dir; dir = dirname(dir)) {
    if (basename(dir) === 'specs' && existsSync(join(dirname(dir), 'package.json'))) return dirname(dir);
  }
  return undefined;
}

/** The project root: the nearest directory at or above start that holds a package.json. */
export function findRoot(start: string): string {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return resolve(start);
  }
}

/**
 * Runs the spec and judges it. The golden is compared only when the spec ran and all its
 * expectations held: a failing run's trace would only repeat the failure.
 */
export function judgeSpec(source: string, file: string, golden: GoldenRef | undefined,
  mode: GoldenMode, runner: SpecRunner): SpecResult {
  let run: SpecRun;
  try {
    run = runner(source, file);
  } catch (err) {
    return { file, title: titleOf(source) ?? file, status: 'failed', internalError: err };
  }
  // A spec that does not parse has no title from the run: the `spec "…"` line may still give it.
  const title = run.diagnostics.length > 0 && run.title === file ? titleOf(source) ?? file : run.title;
  const base = { file, title, run };
  if (run.diagnostics.length > 0) return { ...base, status: 'bad-input' };
  if (run.failures.length > 0) return { ...base, status: 'failed' };
  if (!golden) return { ...base, status: 'passed' };
  if (!run.trace) {
    return { ...base, status: 'failed', internalError: new Error('the run produced no trace') };
  }
  let outcome: GoldenOutcome;
  try {
    outcome = judgeGolden(run.trace, golden, mode);
  } catch (err) {
    // An I/O error on this spec's golden (unreadable, a folder, a full disk): this spec
    // fails, naming the file; the others still run.
    const why = err instanceof Error ? err.message : String(err);
    return { ...base, status: 'failed', internalError: new Error(`golden ${golden.shown}: ${why}`) };
  }
  return { ...base, golden: outcome, status: goldenProblem(outcome) ? 'failed' : 'passed' };
}

/** The title of a spec's `spec "…"` statement, read without parsing, or undefined. */
export function titleOf(source: string): string | undefined {
  const m = /^[ \t]*spec[ \t]+"((?:[^"\\\n]|\\.)*)"/m.exec(source);
  return m ? m[1].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)) : undefined;
}

/**
 * The tags of a spec's `tags a, b` statement, read without parsing (so that `run --tag`
 * selects a spec with bad input too, which then reports its errors); [] without one.
 */
export function tagsOf(source: string): string[] {
  const m = /^[ \t]*tags[ \t]+([^#\n]*)/m.exec(source);
  return m ? m[1].split(',').map((t) => t.trim()).filter((t) => t.length > 0) : [];
}

/** `run --tag` / `--grep`: which specs run. Empty lists select everything. */
export interface SpecFilter {
  /** The spec has at least one of these tags. */
  readonly tags: readonly string[];
  /** The spec's title contains at least one of these texts. */
  readonly greps: readonly string[];
}

/** Whether a spec passes the filter: one of its tags (if any given) and one of its texts (if any given). */
export function specSelected(source: string, file: string, filter: SpecFilter): boolean {
  if (filter.tags.length) {
    const tags = tagsOf(source);
    if (!filter.tags.some((t) => tags.includes(t))) return false;
  }
  if (filter.greps.length) {
    const title = titleOf(source) ?? file;
    if (!filter.greps.some((g) => title.includes(g))) return false;
  }
  return true;
}

/**
 * The spec files that paths name, in order: a file as given, a folder as all `*.mms` below
 * it in sorted order; each once. `missing` lists the paths that do not exist.
 */
export function collectSpecs(paths: readonly string[], cwd: string):
  { readonly files: string[]; readonly missing: string[]; readonly empty: string[] } {
  const files = new Set<string>();
  const missing: string[] = [];
  const empty: string[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    if (!existsSync(abs)) missing.push(p);
    else if (statSync(abs).isDirectory()) {
      const found = walk(abs, '.mms');
      if (found.length === 0) empty.push(p);
      for (const f of found) files.add(f);
    } else files.add(abs);
  }
  return { files: [...files], missing, empty };
}

/** Files below dir whose names end in suffix, sorted by path; dot folders and node_modules skipped. */
function walk(dir: string, suffix: string): string[] {
  const out: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true })
    .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!e.name.startsWith('.') && e.name !== 'node_modules') out.push(...walk(p, suffix));
    } else if (e.name.endsWith(suffix)) out.push(p);
  }
  return out;
}

/** Goldens under `<root>/fixtures/` whose spec does not exist, as shown paths. */
export function findOrphanGoldens(root: string): string[] {
  const fixtures = join(root, 'fixtures');
  if (!existsSync(fixtures)) return [];
  return walk(fixtures, '.trace.yaml')
    .map((g) => shownPath(root, g))
    .filter((g) => !existsSync(join(root, ...specForGolden(g).split('/'))));
}
