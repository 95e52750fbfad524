/**
 * The `mmspec` command line (spec-language.md §13):
 *
 *   mmspec run [--update] [PATH…]   run specs (files or folders; default specs/) against goldens
 *   mmspec check FILE…              parse and check without running
 *   mmspec trace FILE               print the trace of one spec as YAML
 *
 * Exit codes: 0 all passed; 1 a spec failed (or an internal error); 2 bad input.
 * A thin entry point: judging lives in src/run/suite.ts, wording in src/run/report.ts.
 */
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { goldenFor, goldenMode, serializeTrace, shownPath, specForGolden } from './run/golden.js';
import { checkSource, runSpec } from './run/interp.js';
import {
  formatDiagnostics, formatFailure, formatInternalError, formatOrphan, formatResult,
  formatSummary, palette, useColor,
} from './run/report.js';
import type { Diagnostic } from './run/result.js';
import { decodeSource, type DecodedSource } from './lang/source.js';
import { collectSpecs, findOrphanGoldens, findRoot, judgeSpec, suiteRootOf, type SpecResult, type SpecRunner } from './run/suite.js';

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

const USAGE = `usage: mmspec run [--update] [--max-states N] [PATH…]   run specs (default: specs/)
       mmspec check FILE…              parse and check specs without running them
       mmspec trace FILE               print the trace of one spec
       mmspec fuzz [--seed S] [--count N] [--mirror OPT=V,…]   generated scenarios: nothing lost, no crash
       mmspec fuzz --mutate [--seed S] [--count N] [PATH…]   run mutants of the specs, report crashes`;

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
  const [command, ...all] = argv;
  // --max-states only means something where specs run (check rejects it as unknown).
  const rest = command === 'run' || command === 'trace' ? takeMaxStates(all, io) : [...all];
  if (rest === undefined) return EXIT_BAD_INPUT;
  switch (command) {
    case 'run': return cmdRun(rest, io, deps);
    case 'check': return cmdCheck(rest, io, deps);
    case 'trace': return cmdTrace(rest, io, deps);
    case 'help': case '--help': case '-h':
      io.out(USAGE);
      return EXIT_PASSED;
    default:
      io.err(command === undefined ? USAGE : `mmspec: unknown command '${command}'\n${USAGE}`);
      return EXIT_BAD_INPUT;
  }
}

/**
 * `--max-states N` (run, trace): the distinct states one `explore` block may visit before it
 * stops with a message (src/run/concurrent.ts reads MMSPEC_MAX_STATES). Returns the other
 * arguments, or undefined after reporting a bad value.
 */
function takeMaxStates(args: readonly string[], io: CliIo): string[] | undefined {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a !== '--max-states' && !a.startsWith('--max-states=')) { out.push(a); continue; }
    const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
    if (!v || !/^[1-9][0-9]*$/.test(v)) { io.err(`mmspec: --max-states needs a positive integer\n${USAGE}`); return undefined; }
    process.env.MMSPEC_MAX_STATES = v;
  }
  return out;
}

/** Splits flags from paths; an unknown flag is a usage error (returned as a message). */
function parseArgs(args: readonly string[], known: readonly string[]):
  { flags: Set<string>; paths: string[]; error?: string } {
  const flags = new Set<string>();
  const paths: string[] = [];
  for (const a of args) {
    if (a.startsWith('-') && a !== '-') {
      if (!known.includes(a)) return { flags, paths, error: `mmspec: unknown option '${a}'\n${USAGE}` };
      flags.add(a);
    } else paths.push(a);
  }
  return { flags, paths };
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

function cmdRun(args: readonly string[], io: CliIo, deps: CliDeps): number {
  const parsed = parseArgs(args, ['--update', '-u']);
  if (parsed.error) { io.err(parsed.error); return EXIT_BAD_INPUT; }
  const root = findRoot(io.cwd);
  const files = specFiles(parsed.paths, root, io);
  if (typeof files === 'number') return files;
  const mode = goldenMode(parsed.flags.size > 0, io.env);
  const debug = io.env.MMSPEC_DEBUG === '1';
  let passed = 0, failed = 0, badInput = false;
  for (const abs of files) {
    const name = shown(root, io.cwd, abs);
    const source = readSource(abs, name, io);
    if (source === undefined) { badInput = true; failed++; continue; }
    const result: SpecResult = source.diagnostics.length
      ? { file: name, title: name, status: 'bad-input', run: { file: name, title: name, source: source.text, diagnostics: source.diagnostics, failures: [] } }
      : judgeSpec(source.text, name, goldenFor(suiteRootOf(abs) ?? root, abs), mode, deps.runSpec);
    io.out(formatResult(result, io.colorOut, debug));
    if (result.status === 'passed') passed++;
    else failed++;
    if (result.status === 'bad-input') badInput = true;
  }
  if (coversSuite(parsed.paths, root, io.cwd)) {
    for (const golden of findOrphanGoldens(root)) {
      if (mode === 'update') {
        unlinkSync(join(root, ...golden.split('/')));
        io.out(`${palette(io.colorOut).yellow('DEL ')}  ${golden}  (orphan golden deleted)`);
      } else {
        io.out(formatOrphan(golden, specForGolden(golden), io.colorOut));
        failed++;
      }
    }
  }
  io.out('');
  io.out(formatSummary(passed, failed, io.colorOut));
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

function cmdCheck(args: readonly string[], io: CliIo, deps: CliDeps): number {
  const parsed = parseArgs(args, []);
  if (parsed.error) { io.err(parsed.error); return EXIT_BAD_INPUT; }
  const root = findRoot(io.cwd);
  const files = specFiles(parsed.paths, root, io);
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

function cmdTrace(args: readonly string[], io: CliIo, deps: CliDeps): number {
  const parsed = parseArgs(args, []);
  if (parsed.error) { io.err(parsed.error); return EXIT_BAD_INPUT; }
  if (parsed.paths.length !== 1) { io.err(`mmspec: trace takes one spec file\n${USAGE}`); return EXIT_BAD_INPUT; }
  const root = findRoot(io.cwd);
  const abs = resolve(io.cwd, parsed.paths[0]);
  const name = shown(root, io.cwd, abs);
  if (!existsSync(abs)) { io.err(`mmspec: no such file: ${parsed.paths[0]}`); return EXIT_BAD_INPUT; }
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
  return cmdFuzz(args, {
    cwd: process.cwd(),
    out: (text) => { process.stdout.write(text + '\n'); },
    err: (text) => { process.stderr.write(text + '\n'); },
    ...(process.stderr.isTTY ? { progress: (text: string) => { process.stderr.write(`\r\x1b[K${text}`); } } : {}),
  });
}

