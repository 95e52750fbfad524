import type * as A from '../lang/ast.js';
import { parseSpec } from '../lang/parse.js';
import { stripBom } from '../lang/source.js';
import { checkSpec, allStatements } from '../lang/check.js';
import { Interpreter } from './exec.js';
import { MAX_EVENTS } from '../lang/limits.js';
import { finalState } from './state.js';
import type { Diagnostic, SpecRun } from './result.js';

/**
 * The pipeline, jlox-style: parse → static checks → (stop if any error) → interpret.
 * Bad input never throws; a simulator bug throws SimulatorBug naming its function.
 */
export function runSpec(text: string, file: string): SpecRun {
  const source = stripBom(text);
  const { spec, diagnostics } = analyse(source, file);
  const title = spec ? titleOf(spec) ?? file : file;
  if (!spec || diagnostics.length > 0) return { file, title, source, diagnostics, failures: [] };
  const it = new Interpreter(spec, source, { eventLimit: MAX_EVENTS });
  it.run();
  if (it.badInput) {
    const { loc, message } = it.badInput;
    return { file, title, source, diagnostics: [{ file, line: loc.line, col: loc.col, length: Math.max(1, loc.length), message }], failures: [] };
  }
  return {
    file, title, source, diagnostics: [],
    failures: it.failures,
    trace: { spec: title, steps: it.steps, final: finalState(it.w) },
  };
}

/** Parses and statically checks one spec without running it (`mmspec check`). */
export function checkSource(source: string, file: string): Diagnostic[] {
  return analyse(stripBom(source), file).diagnostics;
}

function analyse(source: string, file: string): { spec?: A.SpecFile; diagnostics: Diagnostic[] } {
  const parsed = parseSpec(source, file);
  if (!parsed.spec) return { diagnostics: [...parsed.diagnostics, ...checkRemainder(parsed.partial, file)].sort(byPlace) };
  const diagnostics = [...checkSpec(parsed.spec, file), ...reportUnsupported(parsed.spec, file)];
  diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
  return { spec: parsed.spec, diagnostics };
}

const byPlace = (a: Diagnostic, b: Diagnostic): number => a.line - b.line || a.col - b.col;

/**
 * All errors of a file are reported (spec-language.md §12): with syntax errors, the static
 * checks still run on the statements that parsed. An error about a name that the broken
 * text mentions (a `process` line with a typo makes every use of that process unknown) is
 * a consequence of the syntax error, and is left out. A duplicate never is (a broken line
 * declares nothing, so it cannot make a later declaration the second one): it is reported.
 */
function checkRemainder(partial: { spec: A.SpecFile; blanked: string } | undefined, file: string): Diagnostic[] {
  if (!partial) return [];
  const words = new Set(partial.blanked.match(/[A-Za-z_][A-Za-z0-9_-]*/g) ?? []);
  return checkSpec(partial.spec, file).filter((d) => {
    if (/expected spec "title"/.test(d.message) && words.has('spec')) return false;
    const quoted = [...d.message.matchAll(/"([A-Za-z_][A-Za-z0-9_-]*)"/g)].map((m) => m[1]!);
    const cascade = /\bunknown\b|has exited/.test(d.message) && quoted.some((q) => words.has(q));
    return !cascade;
  });
}

function titleOf(spec: A.SpecFile): string | undefined {
  const s = spec.statements.find((x) => x.type === 'spec');
  return s?.type === 'spec' ? s.title.value : undefined;
}

/**
 * Statements the language has but this build cannot run yet: a located diagnostic,
 * not a syntax error and not a crash.
 */
const UNSUPPORTED: ReadonlySet<string> = new Set([]);

function reportUnsupported(spec: A.SpecFile, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const s of allStatements(spec)) {
    if (UNSUPPORTED.has(s.type)) {
      out.push({ file, line: s.loc.line, col: s.loc.col, length: Math.max(1, s.loc.length),
        message: `not supported yet: ${s.type} statements cannot run in this version of mmspec` });
    }
  }
  return out;
}
