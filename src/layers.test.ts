import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Dependencies point one way (style.md): kernel ← drivers ← sched ← run ← cli/vitest ← fuzz,
 * and lang ← run. A layer may import only from the layers below it.
 */
const src = dirname(fileURLToPath(import.meta.url));
const LAYER: Record<string, number> = { kernel: 0, drivers: 1, sched: 2, lang: 2, run: 3, vitest: 4, cli: 4, index: 4, fuzz: 5 };
const allowed = (from: string, to: string): boolean => {
  if (from === to) return true;
  if (from === 'sched' && to === 'lang') return false;
  if (from === 'lang') return false; // lang stands alone (it only shares run/result.ts's Diagnostic type)
  return (LAYER[to] ?? 9) < (LAYER[from] ?? 9);
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return files(p);
    return /\.ts$/.test(n) && !/\.test\.ts$/.test(n) && !/\.generated\./.test(n) ? [p] : [];
  });
}
const layerOf = (file: string): string => relative(src, file).split(/[\\/]/)[0]!.replace(/\.ts$/, '');

describe('layering', () => {
  it('no module imports from a layer above its own', () => {
    const bad: string[] = [];
    for (const f of files(src)) {
      const from = layerOf(f);
      for (const m of readFileSync(f, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+['"](\.[^'"]+)['"]/gm)) {
        const target = resolve(dirname(f), m[1]!);
        if (relative(src, target).startsWith('..')) continue; // build scripts outside src/
        const to = layerOf(target);
        const typeOnlyResult = from === 'lang' && m[1]!.endsWith('run/result.js');
        if (!allowed(from, to) && !typeOnlyResult) bad.push(`${relative(src, f)} imports ${m[1]}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
