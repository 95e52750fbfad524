/**
 * Static checks: what a spec that parsed must also satisfy before it may run (spec-language.md
 * §12; docs/language.md, "Static rules"). Small named passes run in order over the whole
 * file; each reports every problem it finds, so a file's errors come out together.
 *
 *   checkHeader       spec first, header statements once, memory/swap ≥ 1
 *   checkLimits       sizes within what a run can hold (limits.ts)
 *   checkVocabulary   PROT, ADVICE, ERRNO, signal, violation KIND and PERM words
 *   checkOptions      `open mirror … with`: option names and values
 *   checkNames        declarations, scopes and references, in statement order (resolve.ts)
 *   checkSchedules    race/explore blocks: threads, schedule entries, step names
 */
import type {
  Expectation, Explore, MirrorOption, Perm, Race, SpecFile, Statement, Thread, ThreadStmt, Word,
} from './ast.js';
import type { Diagnostic } from '../run/result.js';
import { diagnosticAt, sortDiagnostics } from './diagnostics.js';
import {
  ADVICES, DMIRROR_ERRNOS, PERM_ACCESS, PERM_FLAGS, PROTS, SIGNALS, SYSCALL_ERRNOS, VIOLATION_KINDS, listWords,
} from './names.js';
import { MIRROR_OPTIONS } from './options.js';
import { checkNames } from './resolve.js';
import { checkLimits } from './limits.js';
import { stepsOf } from './steps.js';

/** Reports one problem at a node. */
export type Report = (at: { readonly loc: import('./ast.js').Loc }, message: string) => void;

type Pass = (spec: SpecFile, report: Report) => void;

const PASSES: readonly Pass[] = [checkHeader, checkLimits, checkVocabulary, checkOptions, checkNames, checkSchedules];

/** All static errors of a parsed spec, in source order; empty when it may run. */
export function checkSpec(spec: SpecFile, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report: Report = (at, message) => out.push(diagnosticAt(file, at.loc, message));
  for (const pass of PASSES) pass(spec, report);
  return sortDiagnostics(out);
}

// ---------------------------------------------------------------- walking

/** Every statement a spec runs or checks: top-level ones, thread statements, outcome conditions. */
export function* allStatements(spec: SpecFile): Generator<Statement | ThreadStmt | Expectation> {
  for (const stmt of spec.statements) {
    yield stmt;
    if (stmt.type === 'race' || stmt.type === 'explore') for (const t of stmt.threads) yield t.stmt;
    if (stmt.type === 'explore') for (const o of stmt.outcomes) yield o.cond;
  }
}

// ---------------------------------------------------------------- checkHeader

/** `spec` comes first; `spec`, `tags`, `memory`, `swap` appear once; sizes are ≥ 1. */
function checkHeader(spec: SpecFile, report: Report): void {
  const first = spec.statements[0];
  if (first === undefined) {
    report(spec, 'empty spec: expected spec "title" as the first statement');
    return;
  }
  if (first.type !== 'spec') report(first, 'expected spec "title" as the first statement');
  const seen = new Set<string>();
  let body = false;
  for (const stmt of spec.statements) {
    if (stmt.type !== 'spec' && stmt.type !== 'tags' && stmt.type !== 'memory' && stmt.type !== 'swap') {
      body = true;
      continue;
    }
    if (seen.has(stmt.type)) report(stmt, `a second "${stmt.type}" statement: a spec has at most one`);
    // The machine is sized before anything runs (spec-language.md §2's layout).
    else if (body && (stmt.type === 'memory' || stmt.type === 'swap')) {
      report(stmt, `"${stmt.type}" sizes the machine before anything runs: put it in the header, right after spec`);
    }
    seen.add(stmt.type);
    if (stmt.type === 'memory' && stmt.frames.value < 1) report(stmt.frames, 'memory needs at least 1 frame');
    if (stmt.type === 'swap' && stmt.slots.value < 1) report(stmt.slots, 'swap needs at least 1 slot');
  }
}

// ---------------------------------------------------------------- checkVocabulary

/** Words of closed vocabularies: the parser took any word; here they must be one of the list. */
function checkVocabulary(spec: SpecFile, report: Report): void {
  const oneOf = (w: Word | undefined, words: readonly string[], what: string): void => {
    if (w !== undefined && !words.includes(w.value)) report(w, `expected ${what} (${listWords(words)}), found ${quote(w.value)}`);
  };
  for (const s of allStatements(spec)) {
    switch (s.type) {
      case 'mmapAnon': case 'mmapFile': case 'mmapDev':
        oneOf(s.prot, PROTS, 'a protection');
        oneOf(s.expectErrno, SYSCALL_ERRNOS, 'an error');
        break;
      case 'mprotect':
        oneOf(s.prot, PROTS, 'a protection');
        oneOf(s.expectErrno, SYSCALL_ERRNOS, 'an error');
        break;
      case 'madvise':
        oneOf(s.advice, ADVICES, 'an advice');
        oneOf(s.expectErrno, SYSCALL_ERRNOS, 'an error');
        break;
      case 'munmap': case 'mremap':
        oneOf(s.expectErrno, SYSCALL_ERRNOS, 'an error');
        break;
      case 'read': case 'write':
        oneOf(s.expectSignal, SIGNALS, 'a value or a signal');
        break;
      case 'dmirrorRead': case 'dmirrorWrite': case 'dmirrorMigrate':
        oneOf(s.expectErrno, DMIRROR_ERRNOS, 'an error');
        break;
      case 'dmirrorSnapshot':
        for (const p of s.expectPerms ?? []) checkPerm(p, report);
        break;
      case 'expectViolation':
        for (const k of s.kinds) oneOf(k, VIOLATION_KINDS, 'a violation kind');
        s.kinds.forEach((k, i) => { if (s.kinds.slice(0, i).some((o) => o.value === k.value)) report(k, `violation ${k.value} is given twice`); });
        break;
      default:
        break;
    }
  }
}

/** A PERM is one access word (error, none, read, write) and any flags, joined by `+`. */
function checkPerm(p: Perm, report: Report): void {
  const access = p.flags.filter((f) => (PERM_ACCESS as readonly string[]).includes(f));
  const unknown = p.flags.filter((f) => !(PERM_ACCESS as readonly string[]).includes(f) && !(PERM_FLAGS as readonly string[]).includes(f));
  if (unknown.length > 0) {
    report(p, `unknown permission "${unknown[0]}" in ${quote(p.text)}: expected ${listWords(PERM_ACCESS)}, optionally with ${listWords(PERM_FLAGS)} joined by +`);
  } else if (access.length !== 1) {
    report(p, `permission ${quote(p.text)} needs exactly one of ${listWords(PERM_ACCESS)}`);
  } else if (new Set(p.flags).size !== p.flags.length) {
    report(p, `permission ${quote(p.text)} repeats a flag`);
  }
}

// ---------------------------------------------------------------- checkOptions

/** `open mirror … with K=V`: known keys (§7), each once, with one of its values. */
function checkOptions(spec: SpecFile, report: Report): void {
  for (const s of allStatements(spec)) {
    if (s.type !== 'openMirror') continue;
    const seen = new Set<string>();
    for (const opt of s.options) {
      if (seen.has(opt.key.value)) report(opt.key, `option "${opt.key.value}" is given twice`);
      seen.add(opt.key.value);
      checkOption(opt, report);
    }
  }
}

function checkOption(opt: MirrorOption, report: Report): void {
  const spec = MIRROR_OPTIONS[opt.key.value];
  if (spec === undefined) {
    report(opt.key, `unknown mirror option ${quote(opt.key.value)}: expected ${listWords(Object.keys(MIRROR_OPTIONS))}`);
    return;
  }
  const v = opt.value;
  if (spec.kind === 'int') {
    if (v.type !== 'int' || v.value < spec.min) {
      report(v, `option ${opt.key.value} needs an integer ≥ ${spec.min}, found ${quote(v.type === 'int' ? v.raw : v.value)}`);
    } else if (v.value > spec.max) {
      report(v, `option ${opt.key.value}=${v.raw} is beyond mmspec's limit of ${spec.max}`);
    }
  } else if (v.type !== 'word' || !spec.values.includes(v.value)) {
    const found = v.type === 'int' ? v.raw : v.value;
    report(v, `expected a value of option ${opt.key.value} (${listWords(spec.values)}), found ${quote(found)}`);
  }
}

// ---------------------------------------------------------------- checkSchedules

/** Thread names are unique in a block; schedule entries name its threads and steps they have. */
function checkSchedules(spec: SpecFile, report: Report): void {
  for (const stmt of spec.statements) {
    if (stmt.type !== 'race' && stmt.type !== 'explore') continue;
    checkThreads(stmt, report);
    if (stmt.type === 'race') checkSchedule(stmt, report);
  }
}

function checkThreads(block: Race | Explore, report: Report): void {
  if (block.threads.length === 0) report(block, `a ${block.type} block needs at least one thread ("t1 = vm1: read heap[0]")`);
  const seen = new Set<string>();
  for (const t of block.threads) {
    if (seen.has(t.name.name)) report(t.name, `duplicate thread "${t.name.name}" in this ${block.type} block`);
    seen.add(t.name.name);
  }
}

function checkSchedule(race: Race, report: Report): void {
  const threads = new Map<string, Thread>();
  for (const t of race.threads) if (!threads.has(t.name.name)) threads.set(t.name.name, t);
  for (const entry of race.schedule) {
    const thread = threads.get(entry.thread.name);
    if (thread === undefined) {
      report(entry.thread, `unknown thread "${entry.thread.name}": this race has ${listWords([...threads.keys()]) || 'no threads'}`);
      continue;
    }
    const step = entry.step;
    if (step === undefined) continue;
    const steps = stepsOf(thread.stmt);
    if (!steps.includes(step.name.value)) {
      report(step.name, steps.length === 0
        ? `thread ${thread.name.name} runs in one step: it has no step "${step.name.value}"`
        : `thread ${thread.name.name} has no step "${step.name.value}": its steps are ${listWords(steps)}`);
    }
    if (step.occurrence !== undefined && step.occurrence.value < 1) {
      report(step.occurrence, `#${step.occurrence.raw}: occurrences count from #1`);
    }
  }
}

// ---------------------------------------------------------------- helpers

export function quote(s: string): string {
  return JSON.stringify(s);
}
