/**
 * Options of `open mirror DEV of P with K=V, …` (spec-language.md §7): the table with
 * defaults, and the resolution of a statement's options into a complete record.
 */
import type { OpenMirror } from './ast.js';
import { MAX_RETRIES } from './limits.js';

export interface MirrorOptions {
  readonly api: 'interval' | 'hmm2019';
  readonly check: 'valid' | 'inverted' | 'none';
  readonly lock: 'on' | 'off';
  readonly vma: 'pfnmap' | 'mixedmap' | 'anon';
  readonly fault: 'hmm' | 'snapshot';
  readonly fork: 'dontcopy' | 'copy';
  readonly mkwrite: 'fault' | 'none';
  readonly maxRetries: number;
}

/** One row of the option table: its word values (default first), or an integer in [min, max]. */
export type OptionSpec =
  | { readonly kind: 'word'; readonly values: readonly string[]; readonly field: keyof MirrorOptions }
  | { readonly kind: 'int'; readonly min: number; readonly max: number; readonly default: number; readonly field: keyof MirrorOptions };

export const MIRROR_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  api: { kind: 'word', values: ['interval', 'hmm2019'], field: 'api' },
  check: { kind: 'word', values: ['valid', 'inverted', 'none'], field: 'check' },
  lock: { kind: 'word', values: ['on', 'off'], field: 'lock' },
  vma: { kind: 'word', values: ['pfnmap', 'mixedmap', 'anon'], field: 'vma' },
  fault: { kind: 'word', values: ['hmm', 'snapshot'], field: 'fault' },
  fork: { kind: 'word', values: ['dontcopy', 'copy'], field: 'fork' },
  mkwrite: { kind: 'word', values: ['fault', 'none'], field: 'mkwrite' },
  'max-retries': { kind: 'int', min: 1, max: MAX_RETRIES, default: 16, field: 'maxRetries' },
};

export const DEFAULT_MIRROR_OPTIONS: MirrorOptions = {
  api: 'interval', check: 'valid', lock: 'on', vma: 'pfnmap', fault: 'hmm', fork: 'dontcopy',
  mkwrite: 'fault', maxRetries: 16,
};

/**
 * The complete options of a checked `open mirror` statement: defaults overridden by the
 * `with` list, a later key winning over an earlier one. Assumes checkSpec() accepted it.
 */
export function mirrorOptions(stmt: OpenMirror): MirrorOptions {
  const out: Record<string, string | number> = { ...DEFAULT_MIRROR_OPTIONS };
  for (const opt of stmt.options) {
    const spec = MIRROR_OPTIONS[opt.key.value];
    if (spec !== undefined) out[spec.field] = opt.value.value;
  }
  return out as unknown as MirrorOptions;
}
