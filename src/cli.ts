/**
 * The `mmspec` command line (spec-language.md §13):
 *
 *   mmspec run [--update] [--tag T] [--grep TEXT] [--reporter json|junit] [PATH…]
 *                                   run specs (files or folders; default specs/) against goldens
 *   mmspec check FILE…              parse and check without running
 *   mmspec trace FILE               print the trace of one spec as YAML
 *   mmspec --version; mmspec COMMAND --help; --no-color on every command
 *
 * Exit codes: 0 all passed; 1 a spec failed (or an internal error); 2 bad input.
 * A thin entry point: judging lives in src/run/suite.ts, wording in src/run/report.ts.
 */
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { goldenFor, goldenMode, serializeTrace, shownPath, specForGolden } from './run/golden.js';
import { checkSource, runSpec } from './run/interp.js';
import {
  formatDiagnostics, formatFailure, formatInternalError, formatJsonReport, formatJunitReport,
  formatOrphan, formatResult, formatSummary, indent, palette, useColor, type TimedResult,
} from './run/report.js';
import type { Diagnostic } from './run/result.js';
import { decodeSource, type DecodedSource } from './lang/source.js';
import {
  collectSpecs, findOrphanGoldens, findRoot, judgeSpec, specSelected, suiteRootOf,
  type SpecFilter, type SpecResult, type SpecRunner,
} from './run/suite.js';

export const EXIT_PASSED = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

/** Where the CLI reads and writes: the process, or a test's capture. */
export interface CliIo {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Writes one line (or several, '\n'-separated) to stdout / stderr. */
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly colorOut: boolean;
  readonly colorErr: boolean;
}

/** The interpreter's two entry points; tests pass fakes. */
export interface CliDeps {
  readonly runSpec: SpecRunner;
  readonly checkSource: (source: string, file: string) => readonly Diagnostic[];
}

const USAGE = `usage: mmspec run [--update] [--tag T] [--grep TEXT] [--reporter json|junit] [PATH…]   run specs (default: specs/)
       mmspec check FILE…              parse and check specs without running them
       mmspec trace FILE               print the trace of one spec
       mmspec fuzz [--seed S] [--count N] [--mirror OPT=V,…]   generated scenarios: nothing lost, no crash
       mmspec fuzz --mutate [--seed S] [--count N] [PATH…]   run mutants of the specs, report crashes
       mmspec --version                print the version
  mmspec COMMAND --help shows a command's options; --no-color (or NO_COLOR=1) turns colour off.`;

/** One option of a command: its names, the placeholder of its value (if it takes one), its help. */
interface OptionSpec {
  readonly names: readonly string[];
  readonly value?: string;
  readonly help: string;
}

const HELP_OPTION: OptionSpec = { names: ['-h', '--help'], help: 'show this help' };
const NO_COLOR_OPTION: OptionSpec = { names: ['--no-color'], help: 'no colour (also NO_COLOR=1; FORCE_COLOR=1 forces it)' };
const MAX_STATES_OPTION: OptionSpec = {
  names: ['--max-states'], value: 'N',
  help: 'distinct states one explore block may visit (default 50,000; overrides `explore max-states`)',
};

/** Each command's synopsis, what it does, and its options (for parsing and for --help). */
const COMMANDS: Readonly<Record<'run' | 'check' | 'trace', { synopsis: string; about: string; options: readonly OptionSpec[] }>> = {
  run: {
    synopsis: 'mmspec run [OPTION…] [PATH…]',
    about: 'Runs specs (files, or folders of *.mms; default specs/) and compares each trace with its golden\n' +
      '(specs outside specs/ are judged by their expect statements alone).\n' +
      'Exit 0: all passed; 1: a spec failed; 2: bad input, or a filter that selects no spec.',
    options: [
      { names: ['-u', '--update'], help: 'write new goldens, rewrite changed ones, delete orphan goldens' },
      { names: ['--tag'], value: 'TAG', help: 'only specs whose `tags` include TAG (repeat: any of the tags)' },
      { names: ['--grep'], value: 'TEXT', help: 'only specs whose title contains TEXT (repeat: any; with --tag: both must hold)' },
      { names: ['--reporter'], value: 'NAME', help: 'human (default), json or junit: results on stdout, the human report on stderr' },
      MAX_STATES_OPTION, NO_COLOR_OPTION, HELP_OPTION,
    ],
  },
  check: {
    synopsis: 'mmspec check [OPTION…] FILE…',
    about: 'Parses and checks specs (files or folders) without running them.\n' +
      'Exit 0: no errors; 2: located errors on stderr.',
    options: [NO_COLOR_OPTION, HELP_OPTION],
  },
  trace: {
    synopsis: 'mmspec trace [OPTION…] FILE',
    about: 'Runs one spec and prints its trace (YAML, as in its golden) on stdout; failures on stderr.\n' +
      'Exit 0: the spec passed; 1: an expectation failed; 2: bad input.',
    options: [MAX_STATES_OPTION, NO_COLOR_OPTION, HELP_OPTION],
  },
};

/** `mmspec COMMAND --help`. */
export function commandHelp(command: keyof typeof COMMANDS): string {
  const c = COMMANDS[command];
  const heads = c.options.map((o) => o.names.join(', ') + (o.value ? ` ${o.value}` : ''));
  const width = Math.max(...heads.map((h) => h.length)) + 2;
  return [`usage: ${c.synopsis}`, c.about, '', 'options:',
    ...c.options.map((o, i) => `  ${heads[i]!.padEnd(width)}${o.help}`)].join('\n');
}

/** The version in mmspec's package.json (found above this module: in src/ or dist/src/). */
export function mmspecVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'mmspec' && pkg.version) return pkg.version;
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}

/** The CLI on the real process: for bin/mmspec.js. Returns the exit code (fuzz: a promise of it). */
export function runCli(argv: readonly string[]): number | Promise<number> {
  if (argv[0] === 'fuzz') return runFuzz(argv.slice(1));
  const io: CliIo = {
    cwd: process.cwd(), env: process.env,
    out: (text) => { process.stdout.write(text + '\n'); },
    err: (text) => { process.stderr.write(text + '\n'); },
    colorOut: useColor(process.stdout, process.env),
    colorErr: useColor(process.stderr, process.env),
  };
  try {
    return main(argv, io);
  } catch (err) {
    io.err(`mmspec: ${formatInternalError(err, process.env.MMSPEC_DEBUG === '1')}`);
    return EXIT_FAILED;
  }
}

/** Runs one command line; returns the exit code. Never throws for bad input. */
export function main(argv: readonly string[], io: CliIo,
  deps: CliDeps = { runSpec, checkSource }): number {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run': case 'check': case 'trace': {
      const parsed = parseOptions(command, rest);
      if (typeof parsed === 'string') { io.err(parsed); return EXIT_BAD_INPUT; }
      if (parsed.has('--help')) { io.out(commandHelp(command)); return EXIT_PASSED; }
      const cio = parsed.has('--no-color') ? { ...io, colorOut: false, colorErr: false } : io;
      const maxStates = parsed.last('--max-states');
      if (maxStates !== undefined) {
        if (!/^[1-9][0-9]*$/.test(maxStates)) {
          io.err(`mmspec: --max-states needs a positive integer\n${commandHelp(command)}`);
          return EXIT_BAD_INPUT;
        }
        // src/run/concurrent.ts reads it.
        process.env.MMSPEC_MAX_STATES = maxStates;
      }
      return command === 'run' ? cmdRun(parsed, cio, deps)
        : command === 'check' ? cmdCheck(parsed.paths, cio, deps) : cmdTrace(parsed.paths, cio, deps);
    }
    case '--version': case '-V': case 'version':
      io.out(mmspecVersion());
      return EXIT_PASSED;
    case 'help': case '--help': case '-h':
      // `mmspec help run` is `mmspec run --help`.
      io.out(rest[0] === 'run' || rest[0] === 'check' || rest[0] === 'trace' ? commandHelp(rest[0]) : USAGE);
      return EXIT_PASSED;
    default:
      io.err(command === undefined ? USAGE : `mmspec: unknown command '${command}'\n${USAGE}`);
      return EXIT_BAD_INPUT;
  }
}

/** A command's options and paths, as parsed. */
interface ParsedArgs {
  readonly paths: readonly string[];
  has(name: string): boolean;
  /** Every value given to the option, in order. */
  all(name: string): readonly string[];
  last(name: string): string | undefined;
}

/**
 * Splits a command's arguments into options (`--opt V` or `--opt=V`; named by their last,
 * long, name) and paths (everything after `--` is a path). Returns a usage error as text.
 */
function parseOptions(command: keyof typeof COMMANDS, args: readonly string[]): ParsedArgs | string {
  const options = COMMANDS[command].options;
  const given = new Map<string, string[]>();
  const paths: string[] = [];
  let ended = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (ended || !a.startsWith('-') || a === '-') { paths.push(a); continue; }
    if (a === '--') { ended = true; continue; }
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    const spec = options.find((o) => o.names.includes(name));
    if (!spec) return `mmspec: unknown option '${a}'\n${commandHelp(command)}`;
    const key = spec.names.at(-1)!;
    let value = '';
    if (spec.value) {
      const v = eq > 0 ? a.slice(eq + 1) : args[++i];
      if (v === undefined || v === '') return `mmspec: ${key} needs a value (${spec.value})\n${commandHelp(command)}`;
      value = v;
    } else if (eq > 0) return `mmspec: ${key} takes no value\n${commandHelp(command)}`;
    given.set(key, [...(given.get(key) ?? []), value]);
  }
  return {
    paths,
    has: (n) => given.has(n),
    all: (n) => given.get(n) ?? [],
    last: (n) => given.get(n)?.at(-1),
  };
}

/** The files named by paths (default `<root>/specs`), or an exit code after reporting. */
function specFiles(paths: readonly string[], root: string, io: CliIo): string[] | number {
  const { files, missing, empty } = collectSpecs(paths.length ? paths : [join(root, 'specs')], io.cwd);
  for (const m of missing) io.err(`mmspec: no such file or folder: ${m}`);
  // A folder without specs is most likely a wrong path: a CI script must not pass on it.
  for (const e of empty) io.err(`mmspec: no specs (*.mms) in folder ${e}`);
  return missing.length || empty.length ? EXIT_BAD_INPUT : files;
}

/** How a spec is named in reports and to the interpreter: root-relative inside the project. */
function shown(root: string, cwd: string, abs: string): string {
  const rel = shownPath(root, abs);
  return rel.startsWith('..') ? relative(cwd, abs).split(sep).join('/') : rel;
}

/**
 * The text of a spec file (src/lang/source.ts: UTF-8, a BOM dropped), or the located errors
 * saying why it is not spec text; undefined after reporting an unreadable file.
 */
function readSource(abs: string, name: string, io: CliIo): DecodedSource | undefined {
  try {
    return decodeSource(readFileSync(abs), name);
  } catch (err) {
    io.err(`mmspec: cannot read ${name}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

const REPORTERS = ['human', 'json', 'junit'] as const;

function cmdRun(args: ParsedArgs, io: CliIo, deps: CliDeps): number {
  const reporter = args.last('--reporter') ?? 'human';
  if (!(REPORTERS as readonly string[]).includes(reporter)) {
    io.err(`mmspec: unknown reporter '${reporter}' (human, json or junit)\n${commandHelp('run')}`);
    return EXIT_BAD_INPUT;
  }
  const filter: SpecFilter = { tags: args.all('--tag'), greps: args.all('--grep') };
  const filtered = filter.tags.length > 0 || filter.greps.length > 0;
  const root = findRoot(io.cwd);
  const files = specFiles(args.paths, root, io);
  if (typeof files === 'number') return files;
  // With a machine reporter stdout carries only its document: the human report goes to stderr.
  const human = reporter === 'human';
  const say = human ? io.out : io.err;
  const color = human ? io.colorOut : io.colorErr;
  const mode = goldenMode(args.has('--update'), io.env);
  const debug = io.env.MMSPEC_DEBUG === '1';
  const started = performance.now();
  const timed: TimedResult[] = [];
  let passed = 0, failed = 0, badInput = false, selected = 0;
  for (const abs of files) {
    const name = shown(root, io.cwd, abs);
    const source = readSource(abs, name, io);
    if (source === undefined) { badInput = true; failed++; selected++; continue; }
    if (filtered && !specSelected(source.text, name, filter)) continue;
    selected++;
    const t0 = performance.now();
    const result: SpecResult = source.diagnostics.length
      ? { file: name, title: name, status: 'bad-input', run: { file: name, title: name, source: source.text, diagnostics: source.diagnostics, failures: [] } }
      : judgeSpec(source.text, name, goldenFor(suiteRootOf(abs) ?? root, abs), mode, deps.runSpec);
    timed.push({ result, ms: performance.now() - t0 });
    // PASS/FAIL on stdout; the diagnostics of bad input on stderr, as check and trace print
    // them (indented under their FAIL line, as they read on a terminal).
    say(formatResult(result, color, debug, false));
    if (result.status === 'bad-input' && result.run) {
      io.err(indent(formatDiagnostics(result.run.diagnostics, result.run.source, io.colorErr), 4));
    }
    if (result.status === 'passed') passed++;
    else failed++;
    if (result.status === 'bad-input') badInput = true;
  }
  if (selected === 0) {
    // A typo in a CI job's --tag must not pass on an empty run.
    const what = [...filter.tags.map((t) => `--tag ${t}`), ...filter.greps.map((g) => `--grep ${JSON.stringify(g)}`)].join(', ');
    io.err(`mmspec: no spec matches ${what} (of ${files.length} spec${files.length === 1 ? '' : 's'})`);
    return EXIT_BAD_INPUT;
  }
  // Orphan goldens are a property of the whole suite: a filtered run neither reports nor deletes them.
  const orphans: string[] = [];
  if (!filtered && coversSuite(args.paths, root, io.cwd)) {
    for (const golden of findOrphanGoldens(root)) {
      if (mode === 'update') {
        unlinkSync(join(root, ...golden.split('/')));
        say(`${palette(color).yellow('DEL ')}  ${golden}  (orphan golden deleted)`);
      } else {
        say(formatOrphan(golden, specForGolden(golden), color));
        orphans.push(golden);
        failed++;
      }
    }
  }
  say('');
  say(formatSummary(passed, failed, color));
  if (!human) {
    const report = { version: mmspecVersion(), specs: timed, orphans, ms: performance.now() - started };
    io.out(reporter === 'json' ? formatJsonReport(report) : formatJunitReport(report));
  }
  return badInput ? EXIT_BAD_INPUT : failed > 0 ? EXIT_FAILED : EXIT_PASSED;
}

/** Whether the run covers the whole suite, so that goldens without a spec are reported. */
function coversSuite(paths: readonly string[], root: string, cwd: string): boolean {
  const specs = join(root, 'specs');
  return existsSync(specs) && (paths.length === 0 || paths.some((p) => {
    const abs = resolve(cwd, p);
    return abs === specs || abs === root;
  }));
}

function cmdCheck(paths: readonly string[], io: CliIo, deps: CliDeps): number {
  const root = findRoot(io.cwd);
  const files = specFiles(paths, root, io);
  if (typeof files === 'number') return files;
  let bad = 0;
  for (const abs of files) {
    const name = shown(root, io.cwd, abs);
    const source = readSource(abs, name, io);
    if (source === undefined) { bad++; continue; }
    let diags: readonly Diagnostic[] = source.diagnostics;
    try {
      if (!diags.length) diags = deps.checkSource(source.text, name);
    } catch (err) {
      io.err(`${name}: ${formatInternalError(err, io.env.MMSPEC_DEBUG === '1')}`);
      return EXIT_FAILED;
    }
    if (diags.length) { io.err(formatDiagnostics(diags, source.text, io.colorErr)); bad++; }
  }
  if (bad) {
    io.err(`${bad} of ${files.length} spec${files.length === 1 ? '' : 's'} with errors`);
    return EXIT_BAD_INPUT;
  }
  io.out(`${files.length} spec${files.length === 1 ? '' : 's'} checked, no errors`);
  return EXIT_PASSED;
}

function cmdTrace(paths: readonly string[], io: CliIo, deps: CliDeps): number {
  if (paths.length !== 1) { io.err(`mmspec: trace takes one spec file\n${commandHelp('trace')}`); return EXIT_BAD_INPUT; }
  const root = findRoot(io.cwd);
  const abs = resolve(io.cwd, paths[0]!);
  const name = shown(root, io.cwd, abs);
  if (!existsSync(abs)) { io.err(`mmspec: no such file: ${paths[0]}`); return EXIT_BAD_INPUT; }
  const source = readSource(abs, name, io);
  if (source === undefined) return EXIT_BAD_INPUT;
  if (source.diagnostics.length) {
    io.err(formatDiagnostics(source.diagnostics, source.text, io.colorErr));
    return EXIT_BAD_INPUT;
  }
  let run;
  try {
    run = deps.runSpec(source.text, name);
  } catch (err) {
    io.err(`${name}: ${formatInternalError(err, io.env.MMSPEC_DEBUG === '1')}`);
    return EXIT_FAILED;
  }
  if (run.diagnostics.length) {
    io.err(formatDiagnostics(run.diagnostics, source.text, io.colorErr));
    return EXIT_BAD_INPUT;
  }
  if (run.trace) io.out(serializeTrace(run.trace).replace(/\n$/, ''));
  for (const f of run.failures) io.err(formatFailure(name, f, io.colorErr));
  if (!run.trace) { io.err(`${name}: ${formatInternalError('the run produced no trace', false)}`); return EXIT_FAILED; }
  return run.failures.length ? EXIT_FAILED : EXIT_PASSED;
}

/**
 * `mmspec fuzz` (src/fuzz/command.ts): generated scenarios, or with `--mutate` mutants of the
 * specs run in worker threads (asynchronous). The fuzzer sits above the CLI (it drives main()),
 * so it is loaded here, on demand, rather than imported.
 */
async function runFuzz(args: readonly string[]): Promise<number> {
  const { cmdFuzz } = await import('./fuzz/command.js');
  // The fuzzer prints no colour; --no-color (or NO_COLOR) also drops its redrawn progress line.
  const plain = args.includes('--no-color') || !!process.env.NO_COLOR;
  return cmdFuzz(args.filter((a) => a !== '--no-color'), {
    cwd: process.cwd(),
    out: (text) => { process.stdout.write(text + '\n'); },
    err: (text) => { process.stderr.write(text + '\n'); },
    ...(process.stderr.isTTY && !plain ? { progress: (text: string) => { process.stderr.write(`\r\x1b[K${text}`); } } : {}),
  });
}

