/**
 * Golden traces: `specs/<area>/<name>.mms` has its golden at `fixtures/<area>/<name>.trace.yaml`.
 * A golden is the YAML of the spec's TraceDoc, byte for byte; a run whose YAML differs fails
 * with a unified line diff. Three modes decide what may be written:
 *
 *   mode     golden missing        golden differs
 *   local    written, passes       fails with the diff
 *   update   written, passes       rewritten, passes
 *   ci       fails                 fails with the diff      (nothing is ever written)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { stringify } from 'yaml';
import type { TraceDoc } from './result.js';

export type GoldenMode = 'local' | 'update' | 'ci';

/** Where a spec's golden lives, with both paths as they are shown (root-relative, `/`-separated). */
export interface GoldenRef {
  readonly path: string;
  readonly shown: string;
  readonly specShown: string;
}

export type GoldenOutcome =
  | { readonly kind: 'match'; readonly ref: GoldenRef }
  | { readonly kind: 'written'; readonly ref: GoldenRef }
  | { readonly kind: 'updated'; readonly ref: GoldenRef; readonly diff: string }
  | { readonly kind: 'missing'; readonly ref: GoldenRef }
  | { readonly kind: 'changed'; readonly ref: GoldenRef; readonly diff: string };

/**
 * The mode in force: CI (`CI=true`) wins over an update request, so that CI never writes.
 * `update` comes from `mmspec run --update` or vitest's `-u`.
 */
export function goldenMode(update: boolean, env: NodeJS.ProcessEnv = process.env): GoldenMode {
  if (env.CI === 'true') return 'ci';
  return update ? 'update' : 'local';
}

/** Path relative to root with `/` separators, as shown in reports and passed to the interpreter. */
export function shownPath(root: string, abs: string): string {
  return relative(root, abs).split(sep).join('/');
}

/** True when rel (root-relative, `/`-separated) is a spec of the suite: `specs/…/x.mms`. */
export function isSuiteSpec(rel: string): boolean {
  return rel.startsWith('specs/') && rel.endsWith('.mms');
}

/** The golden of the spec at specAbs, or undefined for a spec outside `<root>/specs/` (no golden). */
export function goldenFor(root: string, specAbs: string): GoldenRef | undefined {
  const specShown = shownPath(root, specAbs);
  if (!isSuiteSpec(specShown)) return undefined;
  const shown = 'fixtures/' + specShown.slice('specs/'.length, -'.mms'.length) + '.trace.yaml';
  return { path: join(root, ...shown.split('/')), shown, specShown };
}

/** The spec (root-relative) that a golden (root-relative) belongs to. */
export function specForGolden(goldenShown: string): string {
  return 'specs/' + goldenShown.slice('fixtures/'.length, -'.trace.yaml'.length) + '.mms';
}

/**
 * The golden text of a trace. Keys come in a fixed order (`spec`, `steps` with `at` and
 * `events`, `final`); inside `final` the interpreter's insertion order is kept, which is
 * deterministic. No line folding, no anchors; strings are quoted only where YAML needs it.
 */
export function serializeTrace(doc: TraceDoc): string {
  const ordered = {
    spec: doc.spec,
    steps: doc.steps.map((s) => ({ at: s.at, events: [...s.events] })),
    final: doc.final,
  };
  return stringify(ordered, { lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false });
}

/**
 * Compares trace with the golden of ref and, as the mode allows, writes it.
 * Throws only on I/O errors (unreadable or unwritable fixture files).
 */
export function judgeGolden(doc: TraceDoc, ref: GoldenRef, mode: GoldenMode): GoldenOutcome {
  const actual = serializeTrace(doc);
  if (!existsSync(ref.path)) {
    if (mode === 'ci') return { kind: 'missing', ref };
    writeGolden(ref.path, actual);
    return { kind: 'written', ref };
  }
  const expected = readFileSync(ref.path, 'utf8');
  if (expected === actual) return { kind: 'match', ref };
  const diff = diffLines(expected, actual, {
    oldName: `${ref.shown} (golden)`, newName: `${ref.specShown} (this run)`,
  });
  if (mode === 'update') {
    writeGolden(ref.path, actual);
    return { kind: 'updated', ref, diff };
  }
  return { kind: 'changed', ref, diff };
}

function writeGolden(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** A failing outcome's one-line explanation, or undefined when the outcome passes. */
export function goldenProblem(outcome: GoldenOutcome): string | undefined {
  switch (outcome.kind) {
    case 'match': case 'written': case 'updated': return undefined;
    case 'missing':
      return `golden ${outcome.ref.shown} of ${outcome.ref.specShown} is missing ` +
        '(CI never writes goldens: run the spec locally and commit the golden)';
    case 'changed':
      return `golden ${outcome.ref.shown} differs from the trace of ${outcome.ref.specShown} ` +
        '(if the change is intended: mmspec run --update, or vitest -u)';
  }
}

// ---------------------------------------------------------------------------------------
// Line diff: longest common subsequence of lines, printed as unified-diff hunks.

type Op = { readonly kind: ' ' | '-' | '+'; readonly text: string };

/** Beyond this many LCS cells the changed middle is shown as deleted then inserted. */
const MAX_LCS_CELLS = 4_000_000;

export interface DiffOptions {
  readonly oldName: string;
  readonly newName: string;
  /** Unchanged lines shown around each change. */
  readonly context?: number;
}

/**
 * A unified diff from oldText to newText (`---`/`+++` header, `@@` hunks), or '' when the
 * texts are equal. Texts that differ only in line endings or the final newline get a note.
 */
export function diffLines(oldText: string, newText: string, opts: DiffOptions): string {
  if (oldText === newText) return '';
  const ops = lcsOps(splitLines(oldText), splitLines(newText));
  const header = [`--- ${opts.oldName}`, `+++ ${opts.newName}`];
  if (!ops.some((op) => op.kind !== ' ')) {
    return [...header, '(the texts differ only in line endings or the final newline)'].join('\n');
  }
  return [...header, ...hunks(ops, opts.context ?? 3)].join('\n');
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The edit script: common prefix and suffix trimmed, the middle by an LCS table. */
function lcsOps(a: readonly string[], b: readonly string[]): Op[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre &&
    a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  // Concatenated with loops: spreading tens of thousands of lines into push() overflows the stack.
  const ops: Op[] = a.slice(0, pre).map((text) => ({ kind: ' ', text }));
  for (const op of middleOps(a.slice(pre, a.length - suf), b.slice(pre, b.length - suf))) ops.push(op);
  for (const text of a.slice(a.length - suf)) ops.push({ kind: ' ', text });
  return ops;
}

function middleOps(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length, m = b.length, w = m + 1;
  if ((n + 1) * w > MAX_LCS_CELLS) {
    return a.map((text): Op => ({ kind: '-', text })).concat(b.map((text): Op => ({ kind: '+', text })));
  }
  // len[i*w+j] = LCS length of a[i..] and b[j..].
  const len = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      len[i * w + j] = a[i] === b[j] ? len[(i + 1) * w + j + 1] + 1
        : Math.max(len[(i + 1) * w + j], len[i * w + j + 1]);
    }
  }
  const ops: Op[] = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) { ops.push({ kind: ' ', text: a[i] }); i++; j++; }
    // On a tie, deletions go before insertions, as diff(1) prints them.
    else if (i < n && (j === m || len[(i + 1) * w + j] >= len[i * w + j + 1])) {
      ops.push({ kind: '-', text: a[i] }); i++;
    } else { ops.push({ kind: '+', text: b[j] }); j++; }
  }
  return ops;
}

/** Groups the ops into hunks with `context` unchanged lines around each change. */
function hunks(ops: readonly Op[], context: number): string[] {
  const out: string[] = [];
  let k = 0;
  let oldNo = 1, newNo = 1; // line numbers of ops[k]
  while (k < ops.length) {
    const change = ops.findIndex((op, idx) => idx >= k && op.kind !== ' ');
    if (change < 0) break;
    // Extend the hunk while the next change is within 2*context unchanged lines.
    let end = change;
    for (let idx = change; idx < ops.length; idx++) {
      if (ops[idx].kind !== ' ') end = idx;
      else if (idx - end > 2 * context) break;
    }
    const from = Math.max(k, change - context);
    const to = Math.min(ops.length, end + context + 1);
    for (let idx = k; idx < from; idx++) { oldNo++; newNo++; }
    const body = ops.slice(from, to);
    const oldCount = body.filter((op) => op.kind !== '+').length;
    const newCount = body.filter((op) => op.kind !== '-').length;
    out.push(`@@ -${range(oldNo, oldCount)} +${range(newNo, newCount)} @@`);
    for (const op of body) {
      out.push(op.kind + op.text);
      if (op.kind !== '+') oldNo++;
      if (op.kind !== '-') newNo++;
    }
    k = to;
  }
  return out;
}

function range(start: number, count: number): string {
  if (count === 0) return `${start - 1},0`;
  return count === 1 ? `${start}` : `${start},${count}`;
}
