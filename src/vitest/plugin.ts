/**
 * The Vite plugin that makes `.mms` specs vitest test files. A spec of n lines becomes a
 * module of n lines:
 *
 *   line 1      import the runtime and the runner; const at = [null, (m) => new Error(m),
 *   line 2..n   (m) => new Error(m),                       ← at[N] sits on line N
 *   line n      …]; registerSpec({ source, file, root }, runSpec, at);
 *
 * with an identity source map (line N, column c → line N, column c) whose source is the spec
 * itself, so that an error made by at[N] is reported at line N of the `.mms` with a code frame
 * of the spec (see runtime.ts). The transform never parses the spec: a bad spec is a failing test,
 * not a broken module.
 *
 * Also: the parser is generated at startup (a fresh clone has none), and a change to a
 * golden under fixtures/ (edited, added or deleted) re-runs its spec in watch mode.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import type {} from 'vitest/config'; // Plugin.configureVitest and UserConfig.test
import { generateParser } from '../../scripts/gen-parser.mjs';
import { shownPath, specForGolden } from '../run/golden.js';

export interface MmspecPluginOptions {
  /** A module exporting `runSpec(source, file): SpecRun`; default src/run/interp. */
  readonly runner?: string;
}

const here = dirname(fileURLToPath(import.meta.url));

/** A sibling module of this file: `.ts` when running from src/, `.js` from dist/. */
function sibling(rel: string): string {
  const ts = join(here, `${rel}.ts`);
  return existsSync(ts) ? ts : join(here, `${rel}.js`);
}

export function mmspec(options: MmspecPluginOptions = {}): Plugin {
  let root = process.cwd();
  const runtime = sibling('runtime');
  const runner = options.runner ?? sibling('../run/interp');
  return {
    name: 'mmspec',
    config() {
      // A golden change re-runs its spec (vitest's watchTriggerPatterns).
      const watchTriggerPatterns = [{
        pattern: /\.trace\.yaml$/,
        testsToRun: (id: string) => {
          const golden = shownPath(root, id);
          return golden.startsWith('fixtures/') ? specForGolden(golden) : undefined;
        },
      }];
      return { test: { watchTriggerPatterns } };
    },
    configureVitest({ vitest }) {
      // A deleted golden is no trigger for vitest: treat it as a change of its spec.
      if (!vitest.config.watch) return;
      vitest.vite.watcher.on('unlink', (id) => {
        const golden = shownPath(root, id);
        if (golden.startsWith('fixtures/') && golden.endsWith('.trace.yaml')) {
          const spec = join(root, ...specForGolden(golden).split('/'));
          if (existsSync(spec)) vitest.watcher.onFileChange(spec);
        }
      });
    },
    configResolved(config) {
      root = config.root;
      if (existsSync(join(root, 'grammar', 'mmspec.peggy'))) generateParser(root);
    },
    transform(source, id) {
      if (!id.endsWith('.mms')) return null;
      return { code: specModule(source, shownPath(root, id), root, runtime, runner), map: identityMap(id, source) };
    },
  };
}

/** The test module of a spec (see the top of this file); exactly as many lines as source. */
export function specModule(source: string, file: string, root: string,
  runtime: string, runner: string): string {
  const n = source.split('\n').length;
  const make = '(m) => new Error(m)';
  const lines = [`import { registerSpec as __mmsRegister } from ${JSON.stringify(runtime)}; ` +
    `import { runSpec as __mmsRun } from ${JSON.stringify(runner)}; const __mmsAt = [null, ${make}`];
  for (let i = 2; i <= n; i++) lines.push(make);
  const spec = JSON.stringify({ source, file, root });
  lines[n - 1] += `]; __mmsRegister(${spec}, __mmsRun, __mmsAt);`;
  return lines.map((l, i) => (i < n - 1 ? `${l},` : l)).join('\n');
}

/**
 * A source map sending each column c of generated line N to line N, column c of the spec
 * (the columns a spec line has; at least column 0). An error's stack is made to point at the
 * column of its failure (runtime.ts), and vitest puts the code frame's caret there.
 */
export function identityMap(file: string, source: string): {
  version: number; file: string; sources: string[]; sourcesContent: string[]; names: string[]; mappings: string;
} {
  const lines = source.split('\n');
  let prevCol = 0;
  const mappings = lines.map((text, n) => {
    const cols = Math.max(1, text.length);
    // First segment: generated column 0, source 0, one line further (none for line 1), back to column 0.
    const first = 'A' + 'A' + vlq(n === 0 ? 0 : 1) + vlq(-prevCol);
    prevCol = cols - 1;
    return first + ',CAAC'.repeat(cols - 1);
  }).join(';');
  return { version: 3, file, sources: [file], sourcesContent: [source], names: [], mappings };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** One number in the base-64 VLQ of source maps (sign in the lowest bit, 5 bits a digit). */
function vlq(n: number): string {
  let v = n < 0 ? (-n << 1) | 1 : n << 1;
  let out = '';
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    out += B64[digit];
  } while (v > 0);
  return out;
}
