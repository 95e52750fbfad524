/**
 * mmspec as a library: run or check a spec from source text, and format what comes back.
 * The command line (src/cli.ts) and the vitest plugin (src/vitest/) are built on these.
 */
export { runSpec, checkSource } from './run/interp.js';
export { serializeTrace } from './run/golden.js';
export { formatDiagnostic } from './lang/diagnostics.js';
export type { SpecRun, Diagnostic, Failure, TraceDoc, TraceStep } from './run/result.js';
