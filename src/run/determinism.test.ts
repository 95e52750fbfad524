import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSpec } from './interp.js';
import { serializeTrace } from './golden.js';
import { collectSpecs } from './suite.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('determinism', () => {
  // The sequential areas (races are deterministic by the same code, but their explorations
  // are too long to run twice here; their goldens check them across processes).
  it('every sequential spec of the suite gives the same trace, byte for byte, when run twice in one process', () => {
    const { files } = collectSpecs(['kernel', 'seed', 'hmm-tests'].map((a) => join(root, 'specs', a)), root);
    const differing: string[] = [];
    let ran = 0;
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      const a = runSpec(source, file), b = runSpec(source, file);
      if (!a.trace || !b.trace) continue;
      ran++;
      if (serializeTrace(a.trace) !== serializeTrace(b.trace)) differing.push(file);
    }
    expect(ran).toBeGreaterThan(0);
    expect(differing).toEqual([]);
  }, 120_000);
});
