/**
 * What running one spec produces: the contract between the interpreter (src/run/interp.ts)
 * and everything that reports on it (golden comparison, CLI, the vitest plugin).
 */

/** A problem with the spec text itself: syntax or a static (semantic) error. Exit code 2. */
export interface Diagnostic {
  readonly file: string;
  /** 1-based line and column of the offending text. */
  readonly line: number;
  readonly col: number;
  /** Length of the offending text on that line (for the caret run); at least 1. */
  readonly length: number;
  readonly message: string;
  /** About the whole file (binary content): no source line is shown under it. */
  readonly whole?: boolean;
}

/** A spec that parsed and ran, but whose expectations did not hold (or that hit a signal). */
export interface Failure {
  readonly line: number;
  readonly col: number;
  /** One-line summary: what was expected and what was found. */
  readonly message: string;
  /** Optional further lines: the trace of the shortest failing schedule, a diff, … */
  readonly detail?: string;
}

/** The golden trace document of a run: serialised as YAML by src/run/golden.ts. */
export interface TraceDoc {
  readonly spec: string;
  /** The statements that ran, each with the events it produced, in order. */
  readonly steps: readonly TraceStep[];
  /** The final state: processes, page tables, frames, swap, devices. */
  readonly final: unknown;
}

export interface TraceStep {
  /** `L12 vm1: write heap[0] "x"`: the source line number and the statement as written. */
  readonly at: string;
  /** Event lines in trace notation (see docs/language.md, "Trace notation"). */
  readonly events: readonly string[];
}

export interface SpecRun {
  readonly file: string;
  /** The spec's title (its `spec "…"` statement), or the file name if it did not parse. */
  readonly title: string;
  readonly source: string;
  /** Non-empty: the spec is bad input; nothing ran; `trace` is undefined. */
  readonly diagnostics: readonly Diagnostic[];
  /** Non-empty: the spec ran and failed. */
  readonly failures: readonly Failure[];
  readonly trace?: TraceDoc;
}
