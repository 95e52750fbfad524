/**
 * The mutation half of `mmspec fuzz`: takes the specs of the suite, breaks them in the ways
 * real files get broken (a token swapped, a line lost, a stray byte, a BOM, CRLF, a binary
 * file, a 200,000-character line, a thousand nested blocks…), runs every mutant through the
 * real command line (`mmspec run` and `mmspec check`, in-process, as src/cli.test.ts does)
 * and judges only the robustness of the answer, never its verdict:
 *
 *   - the exit code is 0, 1 or 2;
 *   - no stack trace and no internal error is printed;
 *   - every error of a bad-input exit (2) is located: `file:line:col: error: …`, the line, a caret;
 *   - at most a screenful of errors per file, no output line longer than a screen can hold;
 *   - the run ends within a time budget and a heap limit.
 *
 * Mutants run in a worker thread (worker_threads, with resourceLimits) that is replaced when a
 * mutant hangs or blows its heap, so one bad mutant is reported and the campaign goes on.
 * Everything is deterministic from (seed, index): mutant N of seed S is the same file on every
 * machine, and a failure is reproduced with `mmspec fuzz --mutate --seed S` (its index is
 * reported) or by running the saved file.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { KEYWORDS } from '../lang/names.js';
import { Rng } from './rng.js';

// ---------------------------------------------------------------- corpus

/** The specs mutants are made from, and the tokens seen in them. */
export interface Corpus {
  /** Spec files, sorted by path: the path as given (relative to specsDir) and the bytes. */
  readonly files: readonly { readonly path: string; readonly text: string }[];
  /** Distinct tokens of the corpus (words, numbers, strings, punctuation), sorted. */
  readonly tokens: readonly string[];
}

/** Every .mms file under the given files/folders (sorted), read as bytes (latin1 strings). */
export function loadCorpus(paths: readonly string[]): Corpus {
  const found: string[] = [];
  const walk = (p: string): void => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const e of readdirSync(p).sort()) walk(join(p, e));
    } else if (p.endsWith('.mms')) found.push(p);
  };
  for (const p of paths) walk(resolve(p));
  const files = [...new Set(found)].sort().map((p) => ({
    path: shownBase(p),
    text: readFileSync(p).toString('latin1'),
  }));
  if (files.length === 0) throw new Error(`no specs (*.mms) under ${paths.join(', ')}`);
  const tokens = new Set<string>();
  for (const f of files) for (const t of tokenize(f.text)) if (t.kind !== 'space') tokens.add(t.text);
  return { files, tokens: [...tokens].sort() };
}

/** A corpus file as reports name it: from its `specs` folder on (`specs/kernel/x.mms`), else as given. */
function shownBase(abs: string): string {
  const parts = abs.split(/[\\/]/);
  const at = parts.lastIndexOf('specs');
  return at >= 0 ? parts.slice(at).join('/') : relative(process.cwd(), abs).split('\\').join('/');
}

/** A token of a spec, by position in the (latin1) text. */
interface Token {
  readonly start: number;
  readonly text: string;
  readonly kind: 'space' | 'comment' | 'string' | 'number' | 'word' | 'punct';
}

const TOKEN = /([ \t]+|\r?\n)|(#[^\n]*)|("(?:[^"\\\n]|\\.)*"?)|(0x[0-9A-Fa-f_]+|[0-9][0-9_]*)|([A-Za-z_][A-Za-z0-9_-]*)|([^])/g;

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) {
    const kind = m[1] !== undefined ? 'space' : m[2] !== undefined ? 'comment' : m[3] !== undefined ? 'string'
      : m[4] !== undefined ? 'number' : m[5] !== undefined ? 'word' : 'punct';
    out.push({ start: m.index, text: m[0], kind });
  }
  return out;
}

// ---------------------------------------------------------------- mutators

/** One way of breaking a file: text (one char per byte) in, text out. */
type Mutator = (text: string, rng: Rng, corpus: Corpus) => string;

const HUGE_NUMBERS = [
  '9007199254740993', '9007199254740991', '1e30', '0xffffffffffffffffff', '18446744073709551616',
  '99999999999999999999999999999999', '4294967296', '2147483648', '0x7fffffffffffffff', '1_000_000_000',
];
const ODD_NUMBERS = ['-1', '-0', '0', '-4096', '00', '0x', '0x0', '1.5', '-9007199254740993', '+1', '0b101', '1_'];

/** utf8 bytes as a latin1 string (one char per byte). */
const bytes = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

const LINE_BREAK = /\n/g;

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let m = LINE_BREAK.exec(text); m !== null; m = LINE_BREAK.exec(text)) starts.push(m.index + 1);
  LINE_BREAK.lastIndex = 0;
  return starts;
}

/** Lines with their line breaks (the last one maybe without). */
function linesOf(text: string): string[] {
  const starts = lineStarts(text);
  return starts.map((s, i) => text.slice(s, starts[i + 1] ?? text.length)).filter((l, i, all) => l !== '' || i < all.length - 1);
}

const withBreak = (l: string): string => (l.endsWith('\n') ? l : `${l}\n`);

/** A non-space token, or undefined in a text without one. */
function someToken(text: string, rng: Rng, kinds?: readonly Token['kind'][]): Token | undefined {
  const toks = tokenize(text).filter((t) => t.kind !== 'space' && (!kinds || kinds.includes(t.kind)));
  return toks.length ? rng.pick(toks) : undefined;
}

function replaceAt(text: string, t: Token, by: string): string {
  return text.slice(0, t.start) + by + text.slice(t.start + t.text.length);
}

function randomBytes(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(rng.int(256));
  return s;
}

/** A line that opens a block: many kinds, as the block scanner and the grammar see them. */
const OPENERS = ['{', 'race {', 'explore {', 'expect trace {', 't1 = race {', '  explore {', 'race { race {', '{ { {'];

export const MUTATORS: Readonly<Record<string, Mutator>> = {
  'swap-tokens': (text, rng) => {
    const toks = tokenize(text).filter((t) => t.kind !== 'space');
    if (toks.length < 2) return text;
    let i = rng.int(toks.length), j = rng.int(toks.length);
    if (i > j) [i, j] = [j, i];
    if (i === j) return text;
    const a = toks[i]!, b = toks[j]!;
    return text.slice(0, a.start) + b.text + text.slice(a.start + a.text.length, b.start) + a.text +
      text.slice(b.start + b.text.length);
  },
  'replace-token': (text, rng, corpus) => {
    const t = someToken(text, rng);
    if (!t) return text;
    const by = rng.chance(0.3) ? rng.pick(KEYWORDS) : rng.pick(corpus.tokens);
    return replaceAt(text, t, by);
  },
  'delete-token': (text, rng) => {
    const t = someToken(text, rng);
    return t ? replaceAt(text, t, '') : text;
  },
  'delete-lines': (text, rng) => {
    const lines = linesOf(text);
    if (lines.length === 0) return text;
    const at = rng.int(lines.length);
    lines.splice(at, rng.chance(0.7) ? 1 : rng.range(2, 8));
    return lines.join('');
  },
  'duplicate-lines': (text, rng) => {
    const lines = linesOf(text);
    if (lines.length === 0) return text;
    const at = rng.int(lines.length);
    const n = rng.chance(0.8) ? 1 : rng.range(2, 5);
    const copies = rng.chance(0.8) ? 1 : rng.range(2, 200);
    const chunk = lines.slice(at, at + n).map(withBreak);
    lines.splice(at, 0, ...Array.from({ length: copies }, () => chunk).flat());
    return lines.join('');
  },
  'swap-lines': (text, rng) => {
    const lines = linesOf(text).map(withBreak);
    if (lines.length < 2) return text;
    const i = rng.int(lines.length), j = rng.int(lines.length);
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
    return lines.join('');
  },
  'insert-bytes': (text, rng) => {
    const at = rng.int(text.length + 1);
    return text.slice(0, at) + randomBytes(rng, rng.range(1, 8)) + text.slice(at);
  },
  'overwrite-bytes': (text, rng) => {
    if (text.length === 0) return text;
    const at = rng.int(text.length);
    const b = randomBytes(rng, Math.min(rng.range(1, 8), text.length - at));
    return text.slice(0, at) + b + text.slice(at + b.length);
  },
  'truncate': (text, rng) => text.slice(0, rng.int(text.length + 1)),
  'huge-number': (text, rng) => {
    const t = someToken(text, rng, ['number']) ?? someToken(text, rng);
    return t ? replaceAt(text, t, rng.pick(HUGE_NUMBERS)) : text;
  },
  'odd-number': (text, rng) => {
    const t = someToken(text, rng, ['number']) ?? someToken(text, rng);
    if (!t) return text;
    const by = rng.chance(0.5) && t.kind === 'number' ? `-${t.text}` : rng.pick(ODD_NUMBERS);
    return replaceAt(text, t, by);
  },
  'long-line': (text, rng) => {
    const n = rng.range(100_000, 250_000);
    const lines = linesOf(text).map(withBreak);
    const at = rng.int(lines.length + 1);
    const kind = rng.int(6);
    let line: string;
    if (kind === 0) line = `# ${'x'.repeat(n)}`;
    else if (kind === 1) line = `vm1: write heap[0] "${'a'.repeat(n)}"`;
    else if (kind === 2) line = `${'process '.repeat(n / 8)}`;
    else if (kind === 3) line = `${' '.repeat(n)}vm1: frob`;
    else if (kind === 4) line = `vm1: read heap[${'9'.repeat(n)}]`;
    else {
      const base = (lines[rng.int(Math.max(1, lines.length))] ?? 'x').replace(/\r?\n$/, '') || 'x';
      line = base.repeat(Math.ceil(n / base.length));
    }
    if (rng.chance(0.3)) line = `spec "${'T'.repeat(n)}"`;
    lines.splice(at, 0, `${line}\n`);
    return lines.join('');
  },
  'deep-nesting': (text, rng) => {
    const depth = rng.chance(0.5) ? rng.range(50, 500) : rng.range(1000, 20_000);
    const open = rng.pick(OPENERS);
    const oneLine = rng.chance(0.3);
    const closes = rng.pick([0, depth, rng.int(depth + 1), depth + rng.range(1, 50)]);
    const block = oneLine
      ? `${open} `.repeat(depth) + '\n' + '} '.repeat(closes) + '\n'
      : `${open}\n`.repeat(depth) + '}\n'.repeat(closes);
    const lines = linesOf(text).map(withBreak);
    lines.splice(rng.int(lines.length + 1), 0, block);
    return lines.join('');
  },
  'non-utf8': (text, rng) => {
    const seqs = ['\xff', '\xfe', '\x80', '\xc3', '\xc0\xaf', '\xed\xa0\x80', '\xf4\x90\x80\x80', '\xe2\x82', '\xbf\xbf\xbf', '\xf8\x88\x80\x80\x80'];
    let out = text;
    for (let k = rng.range(1, 3); k > 0; k--) {
      const at = rng.int(out.length + 1);
      out = out.slice(0, at) + rng.pick(seqs) + out.slice(at);
    }
    return out;
  },
  'utf8-text': (text, rng) => {
    const t = someToken(text, rng);
    const s = bytes(rng.pick(['é', '…', '→', '😀', '\u200b', '\u00a0', '\u2028', '\u202e', 'ﬁ', '\ufeff']));
    return t ? replaceAt(text, t, rng.chance(0.5) ? s : t.text + s) : text + s;
  },
  'bom': (text) => `\xef\xbb\xbf${text}`,
  'nul': (text, rng) => {
    let out = text;
    for (let k = rng.range(1, 4); k > 0; k--) {
      const at = rng.int(out.length + 1);
      out = out.slice(0, at) + '\0' + out.slice(at);
    }
    return out;
  },
  'control-chars': (text, rng) => {
    const at = rng.int(text.length + 1);
    return text.slice(0, at) + rng.pick(['\x1b[31m', '\x1b[2J', '\x07', '\b\b\b', '\r', '\f', '\v', '\x7f', '\x1b]0;x\x07']) + text.slice(at);
  },
  'crlf': (text, rng) => (rng.chance(0.7) ? text.replace(/\r?\n/g, '\r\n') : text.replace(/\r?\n/g, '\r')),
  'tabs': (text, rng) => (rng.chance(0.5) ? text.replace(/ /g, '\t') : text.replace(/^/gm, '\t')),
  'empty': () => '',
  'whitespace-only': (_text, rng) => rng.pick(['\n', '   ', '\n\n\n', '\t\n', '\r\n', '# just a comment\n', '#']),
  'binary': (_text, rng) => randomBytes(rng, rng.pick([1, 3, 16, 512, 4096, 65_536])),
};

const WHOLE_FILE = new Set(['empty', 'whitespace-only', 'binary']);
/** How often each mutator is drawn: the token and line ones most. */
const WEIGHTS: Readonly<Record<string, number>> = {
  'swap-tokens': 6, 'replace-token': 10, 'delete-token': 5, 'delete-lines': 6, 'duplicate-lines': 5, 'swap-lines': 5,
  'insert-bytes': 3, 'overwrite-bytes': 3, 'truncate': 3, 'huge-number': 5, 'odd-number': 5, 'long-line': 1,
  'deep-nesting': 1, 'non-utf8': 2, 'utf8-text': 2, 'bom': 2, 'nul': 1, 'control-chars': 2, 'crlf': 2,
  'tabs': 2, 'empty': 0.3, 'whitespace-only': 0.3, 'binary': 0.6,
};
const NAMES = Object.keys(MUTATORS);
const TOTAL_WEIGHT = NAMES.reduce((s, n) => s + (WEIGHTS[n] ?? 1), 0);

function drawMutator(rng: Rng): string {
  let x = rng.next() * TOTAL_WEIGHT;
  for (const n of NAMES) {
    x -= WEIGHTS[n] ?? 1;
    if (x < 0) return n;
  }
  return NAMES[NAMES.length - 1]!;
}

/** One mutant: which spec it came from, what was done to it, and its bytes. */
export interface Mutant {
  readonly seed: number;
  readonly index: number;
  readonly base: string;
  readonly mutations: readonly string[];
  readonly bytes: Buffer;
}

/** Mutant `index` of `seed`: 1 to 4 stacked mutations of one corpus spec. Deterministic. */
export function makeMutant(corpus: Corpus, seed: number, index: number): Mutant {
  const rng = new Rng(seed, index);
  const base = rng.pick(corpus.files);
  let text = base.text;
  const mutations: string[] = [];
  let n = 1;
  while (n < 4 && rng.chance(0.35)) n++;
  for (let k = 0; k < n; k++) {
    const name = drawMutator(rng);
    if (WHOLE_FILE.has(name) && k > 0) continue;
    text = MUTATORS[name]!(text, rng, corpus);
    mutations.push(name);
  }
  return { seed, index, base: base.path, mutations, bytes: Buffer.from(text, 'latin1') };
}

/** Applies one named mutator (for tests). */
export function applyMutator(name: string, text: string, seed: number, corpus: Corpus): string {
  const m = MUTATORS[name];
  if (!m) throw new Error(`no mutator ${name}`);
  return Buffer.from(m(bytesOf(text), new Rng(seed), corpus), 'latin1').toString('utf8');
}

const bytesOf = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

// ---------------------------------------------------------------- judging one answer

/** What one command printed and returned, in the worker. */
export interface CommandOutcome {
  readonly argv: readonly string[];
  /** The exit code; undefined when main threw (`threw` then says what). */
  readonly code?: number;
  readonly threw?: string;
  readonly out: string;
  readonly err: string;
  readonly ms: number;
}

export type FailureKind =
  | 'exit-code' | 'threw' | 'stack-trace' | 'internal-error' | 'unlocated' | 'too-many-errors'
  | 'long-line' | 'hang' | 'heap' | 'worker-died';

/** At most this many errors of one file are printed (then "… and N more errors"). */
export const ERRORS_PER_FILE = 20;
/** No output line may be longer than this (a source line is shown as a window). */
export const MAX_LINE = 1000;

const STACK_LINE = /^\s*at .*(?:\(.*:\d+:\d+\)|:\d+:\d+|\(native\)|<anonymous>\)?)\s*$/m;
const CRASH_WORDS = /SimulatorBug|internal error|TypeError|RangeError|ReferenceError|SyntaxError:|Maximum call stack|out of memory/;

/**
 * Judges one command's answer for the mutant shown as `name` with `lines` lines. Returns the
 * failure (kind and a one-line why), or undefined when the answer is robust.
 */
export function judgeOutcome(o: CommandOutcome, name: string, lines: number):
  { kind: FailureKind; why: string } | undefined {
  if (o.threw !== undefined) return { kind: 'threw', why: `main threw: ${firstLine(o.threw)}` };
  const all = `${o.out}\n${o.err}`;
  if (o.code !== 0 && o.code !== 1 && o.code !== 2) return { kind: 'exit-code', why: `exit code ${String(o.code)}` };
  const stack = STACK_LINE.exec(all);
  if (stack) return { kind: 'stack-trace', why: `stack trace: ${stack[0].trim()}` };
  const crash = CRASH_WORDS.exec(all);
  if (crash) return { kind: 'internal-error', why: `"${crash[0]}" in: ${firstLine(lineAround(all, crash.index))}` };
  const long = all.split('\n').find((l) => l.length > MAX_LINE);
  if (long !== undefined) return { kind: 'long-line', why: `an output line of ${long.length} characters` };
  if (o.code !== 2) return undefined;
  // The diagnostics: stderr for check; for run stderr too, indented under the FAIL line.
  const text = o.argv[0] === 'run'
    ? o.err.split('\n').filter((l) => l.startsWith('    ') || l === '').map((l) => l.slice(4)).join('\n')
    : o.err;
  return judgeDiagnostics(text, name, lines);
}

function judgeDiagnostics(text: string, name: string, lines: number): { kind: FailureKind; why: string } | undefined {
  const ls = text.split('\n');
  const head = new RegExp(`^${escapeRe(name)}:(\\d+):(\\d+): error: \\S`);
  let heads = 0;
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    if (!l.startsWith(`${name}:`)) continue;
    const m = head.exec(l);
    if (!m) return { kind: 'unlocated', why: `not a located error: ${clip(l)}` };
    heads++;
    const line = Number(m[1]);
    if (line < 1 || line > lines + 1) return { kind: 'unlocated', why: `line ${line} of a ${lines}-line file: ${clip(l)}` };
    if (/not a text file/.test(l)) continue;
    const caret = ls[i + 2];
    if (line <= lines && (caret === undefined || !/^ *\^+$/.test(caret))) {
      return { kind: 'unlocated', why: `no caret line under: ${clip(l)}` };
    }
  }
  if (heads === 0) return { kind: 'unlocated', why: `exit 2 without a located error: ${clip(ls.find((l) => l.trim()) ?? '(no output)')}` };
  if (heads > ERRORS_PER_FILE) return { kind: 'too-many-errors', why: `${heads} errors printed for one file` };
  return undefined;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const firstLine = (s: string): string => clip(s.split('\n')[0] ?? '');
const clip = (s: string): string => (s.length > 160 ? `${s.slice(0, 160)}…` : s);

function lineAround(text: string, at: number): string {
  const s = text.lastIndexOf('\n', at) + 1;
  const e = text.indexOf('\n', at);
  return text.slice(s, e < 0 ? text.length : e);
}

// ---------------------------------------------------------------- running mutants

/** The CLI's main(argv, io), or a stand-in (tests). */
export type MainFn = (argv: readonly string[], io: {
  readonly cwd: string; readonly env: NodeJS.ProcessEnv; readonly out: (t: string) => void;
  readonly err: (t: string) => void; readonly colorOut: boolean; readonly colorErr: boolean;
}) => number;

/** The commands every mutant goes through. */
const COMMANDS: readonly (readonly string[])[] = [['run'], ['check']];

/** Runs the commands on `file` (its folder as cwd) with a captured io. */
export function runCommands(main: MainFn, file: string): CommandOutcome[] {
  return COMMANDS.map((cmd) => {
    const out: string[] = [];
    const err: string[] = [];
    const argv = [...cmd, basename(file)];
    const t0 = performance.now();
    let code: number | undefined;
    let threw: string | undefined;
    try {
      code = main(argv, {
        cwd: dirname(file), env: {}, out: (t) => { out.push(t); }, err: (t) => { err.push(t); },
        colorOut: false, colorErr: false,
      });
    } catch (e) {
      threw = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    return { argv, code, threw, out: out.join('\n'), err: err.join('\n'), ms: performance.now() - t0 };
  });
}

interface Job { readonly id: number; readonly file: string }
type Reply = { readonly id: number; readonly outcomes: CommandOutcome[] };

/** What running one mutant came to: the outcomes, or how the worker was lost. */
type RunResult = { outcomes: CommandOutcome[] } | { lost: 'hang' | 'heap' | 'worker-died'; why: string };

/** Runs mutant files one at a time: in a worker thread (real CLI) or in-process (a given main). */
interface Runner {
  run(file: string): Promise<RunResult>;
  close(): Promise<void>;
}

function inProcessRunner(main: MainFn): Runner {
  return {
    run: (file) => Promise.resolve({ outcomes: runCommands(main, file) }),
    close: () => Promise.resolve(),
  };
}

/**
 * The compiled module that a worker runs: this file when it runs compiled, else (under vitest,
 * which runs the TypeScript) its build in dist/.
 */
function workerModule(): string {
  const self = fileURLToPath(import.meta.url);
  if (self.endsWith('.js')) return self;
  let dir = dirname(self);
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  const built = join(dir, 'dist', 'src', 'fuzz', 'mutate.js');
  if (!existsSync(built)) throw new Error(`mutationCampaign: ${built} is missing: run node scripts/build.mjs`);
  return built;
}

/** A long-lived worker thread, replaced when a mutant times out or kills it. */
function workerRunner(timeoutMs: number, heapMb: number): Runner {
  const module = workerModule();
  let worker: Worker | undefined;
  let nextId = 0;
  /** The job under way, and the worker running it. */
  let pending: { id: number; worker: Worker; settle: (r: RunResult) => void } | undefined;
  const spawn = (): Worker => {
    const w = new Worker(module, {
      workerData: { mmspecMutateWorker: true },
      resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 64, stackSizeMb: 4 },
      stdout: true, stderr: true, env: {},
    });
    let lastError = '';
    w.on('message', (r: Reply) => {
      if (pending?.worker === w && r.id === pending.id) { const p = pending; pending = undefined; p.settle({ outcomes: r.outcomes }); }
    });
    w.on('error', (e: Error & { code?: string }) => { lastError = `${e.code ?? e.name}: ${e.message}`; });
    w.on('exit', (code) => {
      if (worker === w) worker = undefined;
      // A worker that was terminated for a timeout has no job any more.
      if (pending?.worker !== w) return;
      const p = pending;
      pending = undefined;
      const heap = /ERR_WORKER_OUT_OF_MEMORY|heap/i.test(lastError);
      p.settle({ lost: heap ? 'heap' : 'worker-died', why: `worker exited (${code})${lastError ? `: ${lastError}` : ''}` });
    });
    // Anything the code under test writes to the process's own streams is swallowed.
    w.stdout.resume();
    w.stderr.resume();
    return w;
  };
  return {
    run(file: string): Promise<RunResult> {
      const w = worker ?? (worker = spawn());
      const id = nextId++;
      return new Promise<RunResult>((settle) => {
        const timer = setTimeout(() => {
          if (pending?.id !== id) return;
          pending = undefined;
          if (worker === w) worker = undefined;
          void w.terminate();
          settle({ lost: 'hang', why: `no answer within ${timeoutMs} ms` });
        }, timeoutMs);
        pending = { id, worker: w, settle: (r) => { clearTimeout(timer); settle(r); } };
        w.postMessage({ id, file } satisfies Job);
      });
    },
    async close(): Promise<void> {
      const w = worker;
      worker = undefined;
      if (w) await w.terminate();
    },
  };
}

/** The states an explore block of a mutant may visit (`--max-states`). */
export const FUZZ_MAX_STATES = 10_000;

/** The worker's side: runs each job through the real CLI and posts the outcomes back. */
async function workerMain(): Promise<void> {
  // The campaign judges robustness, not verdicts: an explore block of a mutant that grows to
  // the default 200,000 states takes over a minute, bounded but past any budget. It stops at
  // FUZZ_MAX_STATES instead, with the same "explore stopped" message (src/run/concurrent.ts).
  process.env.MMSPEC_MAX_STATES = String(FUZZ_MAX_STATES);
  const { main } = await import('../cli.js');
  parentPort!.on('message', (job: Job) => {
    parentPort!.postMessage({ id: job.id, outcomes: runCommands(main, job.file) } satisfies Reply);
  });
}

if (!isMainThread && (workerData as { mmspecMutateWorker?: boolean } | null)?.mmspecMutateWorker) void workerMain();

// ---------------------------------------------------------------- the campaign

export interface CampaignOptions {
  readonly seed: number;
  readonly count: number;
  /** Files or folders of specs to mutate (default: specs/ of the cwd). */
  readonly specsDir?: string | readonly string[];
  /** Called after each mutant. */
  readonly onProgress?: (p: CampaignProgress) => void;
  /** Time budget of one mutant (both commands), ms; default 20,000. */
  readonly timeoutMs?: number;
  /** The worker's heap limit, MB; default 1024. */
  readonly heapMb?: number;
  /** Where failing mutants are saved; default a new folder under the OS's temp folder. */
  readonly outDir?: string;
  /**
   * Shrink failing mutants (default true; at most `shrinkRuns` runs each, default 200), except
   * hangs and lost workers, where every try would cost the whole time budget.
   */
  readonly shrink?: boolean;
  readonly shrinkRuns?: number;
  /** Run in-process with this main instead of the real CLI in a worker (tests). */
  readonly main?: MainFn;
  /** Run only these indices (to reproduce); default 0..count-1. */
  readonly only?: readonly number[];
}

export interface CampaignProgress {
  readonly done: number;
  readonly total: number;
  readonly failures: number;
  readonly exits: Readonly<Record<string, number>>;
}

export interface MutantFailure {
  readonly index: number;
  readonly base: string;
  readonly mutations: readonly string[];
  readonly command: string;
  readonly kind: FailureKind;
  readonly why: string;
  /** The saved mutant, and its shrunk form when shrinking kept the failure. */
  readonly file: string;
  readonly shrunk?: string;
}

export interface CampaignResult {
  readonly seed: number;
  readonly mutants: number;
  /** Exit codes per command: `run 0`, `run 1`, `run 2`, `check 0`, `check 2`… */
  readonly exits: Readonly<Record<string, number>>;
  readonly failures: readonly MutantFailure[];
  readonly ms: number;
  readonly outDir: string;
  /** The slowest mutant (both commands), for tuning budgets. */
  readonly slowest: { readonly index: number; readonly ms: number };
}

/** Runs `count` mutants of the corpus through `run` and `check`; reports what was not robust. */
export async function mutationCampaign(opts: CampaignOptions): Promise<CampaignResult> {
  const t0 = performance.now();
  const dirs = opts.specsDir === undefined ? ['specs'] : typeof opts.specsDir === 'string' ? [opts.specsDir] : opts.specsDir;
  const corpus = loadCorpus(dirs);
  const work = mkdtempSync(join(tmpdir(), 'mmspec-mutants-'));
  const outDir = opts.outDir ?? join(tmpdir(), `mmspec-fuzz-seed-${opts.seed}`);
  const runner = opts.main ? inProcessRunner(opts.main) : workerRunner(opts.timeoutMs ?? 20_000, opts.heapMb ?? 1024);
  const exits: Record<string, number> = {};
  const failures: MutantFailure[] = [];
  const indices = opts.only ?? Array.from({ length: opts.count }, (_, i) => i);
  let slowest = { index: -1, ms: 0 };
  try {
    let done = 0;
    for (const index of indices) {
      const m = makeMutant(corpus, opts.seed, index);
      const file = join(work, `mutant-${opts.seed}-${index}.mms`);
      writeFileSync(file, m.bytes);
      const t = performance.now();
      const result = await runner.run(file);
      const ms = performance.now() - t;
      if (ms > slowest.ms) slowest = { index, ms };
      const verdict = judgeRun(result, basename(file), m.bytes);
      if ('outcomes' in result) for (const o of result.outcomes) if (o.code !== undefined) exits[`${o.argv[0]} ${o.code}`] = (exits[`${o.argv[0]} ${o.code}`] ?? 0) + 1;
      if (verdict) {
        mkdirSync(outDir, { recursive: true });
        const saved = join(outDir, `mutant-${opts.seed}-${index}.mms`);
        writeFileSync(saved, m.bytes);
        let shrunk: string | undefined;
        // A hang or a lost worker costs a whole budget per try: those are saved unshrunk.
        if (opts.shrink !== false && !LOST.has(verdict.kind)) {
          const small = await shrinkMutant(m.bytes, verdict.kind, runner, work, opts.shrinkRuns ?? 200);
          if (small.length < m.bytes.length) {
            shrunk = join(outDir, `mutant-${opts.seed}-${index}.shrunk.mms`);
            writeFileSync(shrunk, small);
          }
        }
        failures.push({ index, base: m.base, mutations: m.mutations, ...verdict, file: saved, shrunk });
      }
      rmSync(file, { force: true });
      done++;
      opts.onProgress?.({ done, total: indices.length, failures: failures.length, exits });
    }
  } finally {
    await runner.close();
    rmSync(work, { recursive: true, force: true });
  }
  return { seed: opts.seed, mutants: indices.length, exits, failures, ms: performance.now() - t0, outDir, slowest };
}

const LOST: ReadonlySet<FailureKind> = new Set(['hang', 'heap', 'worker-died']);

/** The first failure among a mutant's command outcomes (or its lost worker). */
function judgeRun(result: RunResult, name: string, content: Buffer):
  { command: string; kind: FailureKind; why: string } | undefined {
  if ('lost' in result) return { command: 'run/check', kind: result.lost, why: result.why };
  let lines = 1;
  for (const b of content) if (b === 0x0a) lines++;
  for (const o of result.outcomes) {
    const v = judgeOutcome(o, name, lines);
    if (v) return { command: o.argv[0]!, ...v };
  }
  return undefined;
}

/**
 * Makes a failing mutant smaller while it fails the same way: deletes chunks of lines, then
 * of bytes, halving the chunk size (delta debugging, greedy). At most `budget` runs.
 */
async function shrinkMutant(content: Buffer, kind: FailureKind, runner: Runner, work: string, budget: number): Promise<Buffer> {
  let best = content;
  let runs = 0;
  const file = join(work, 'shrink.mms');
  const fails = async (candidate: Buffer): Promise<boolean> => {
    runs++;
    writeFileSync(file, candidate);
    const v = judgeRun(await runner.run(file), basename(file), candidate);
    return v?.kind === kind;
  };
  for (const unit of ['line', 'byte'] as const) {
    const parts = (b: Buffer): Buffer[] => (unit === 'line' ? splitKeep(b) : [...b].map((x) => Buffer.from([x])));
    let chunk = Math.max(1, Math.floor(parts(best).length / 2));
    while (chunk >= 1 && runs < budget) {
      let changed = false;
      for (let at = 0; runs < budget;) {
        const ps = parts(best);
        if (at >= ps.length) break;
        if (unit === 'byte' && ps.length > 20_000) break;
        const candidate = Buffer.concat([...ps.slice(0, at), ...ps.slice(at + chunk)]);
        if (candidate.length < best.length && await fails(candidate)) { best = candidate; changed = true; }
        else at += chunk;
      }
      if (!changed) chunk = Math.floor(chunk / 2);
    }
  }
  return best;
}

function splitKeep(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0x0a) { out.push(b.subarray(start, i + 1)); start = i + 1; }
  }
  if (start < b.length) out.push(b.subarray(start));
  return out;
}

// ---------------------------------------------------------------- reporting

/** The summary printed at the end of a campaign. */
export function formatCampaign(r: CampaignResult): string {
  const rate = r.mutants / (r.ms / 1000);
  const codes = (cmd: string): string => [0, 1, 2].map((c) => `${c}: ${r.exits[`${cmd} ${c}`] ?? 0}`).join(', ');
  const lines = [
    `mutation campaign, seed ${r.seed}: ${r.mutants} mutants in ${(r.ms / 1000).toFixed(1)} s (${rate.toFixed(1)}/s)`,
    `  run exits    ${codes('run')}`,
    `  check exits  ${codes('check')}`,
    `  failures     ${r.failures.length}`,
  ];
  for (const f of r.failures) {
    lines.push(`FAIL mutant ${f.index} (${f.base}: ${f.mutations.join(' + ')}): ${f.command}: ${f.kind}: ${f.why}`);
    lines.push(`     saved as ${f.file}${f.shrunk ? `, shrunk to ${f.shrunk}` : ''}`);
  }
  return lines.join('\n');
}

/** A one-line progress report, for a terminal (rewritten with \r). */
export function formatProgress(p: CampaignProgress): string {
  return `mutants ${p.done}/${p.total}  run 0/1/2: ${p.exits['run 0'] ?? 0}/${p.exits['run 1'] ?? 0}/${p.exits['run 2'] ?? 0}  failures ${p.failures}`;
}

/**
 * `mmspec fuzz --mutate [--seed S] [--count N] [PATH…]`: returns the exit code (0 no failure,
 * 1 failures, 2 bad arguments). `progress` writes without a newline (a terminal's \r line).
 */
export async function fuzzMutateCommand(args: readonly string[], io: {
  readonly cwd: string; readonly out: (t: string) => void; readonly err: (t: string) => void;
  readonly progress?: (t: string) => void;
}): Promise<number> {
  // The same campaign every time unless a seed is given (`--seed S` reproduces any campaign).
  let seed = 1;
  let count = 1000;
  const paths: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--mutate') continue;
    if (a === '--seed' || a === '--count') {
      const v = args[++i];
      if (v === undefined || !/^[0-9]+$/.test(v)) { io.err(`mmspec: ${a} needs a non-negative integer`); return 2; }
      if (a === '--seed') seed = Number(v); else count = Number(v);
    } else if (a.startsWith('-')) { io.err(`mmspec: unknown option '${a}' of fuzz --mutate`); return 2; }
    else paths.push(resolve(io.cwd, a));
  }
  const specs = paths.length ? paths : [join(io.cwd, 'specs')];
  for (const p of specs) if (!existsSync(p)) { io.err(`mmspec: no such file or folder: ${p}`); return 2; }
  const r = await mutationCampaign({
    seed, count, specsDir: specs,
    onProgress: io.progress ? (p) => io.progress!(`\r${formatProgress(p)}`) : undefined,
  });
  if (io.progress) io.progress('\r\x1b[K');
  io.out(formatCampaign(r));
  return r.failures.length ? 1 : 0;
}
