import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSpec } from '../lang/parse.js';
import { Interpreter } from '../run/exec.js';
import { kernelStateText, kernelStateHash, hashText, StateHasher } from './statekey.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('state keys', () => {
  it('kernelStateHash tells states apart exactly as kernelStateText does', () => {
    // The states after each statement (before the first concurrent block or expectation) of many specs.
    const byText = new Map<string, number>();
    const byHash = new Map<number, string>();
    const files = ['races', 'kernel', 'hmm-tests', 'seed'].flatMap((d) => {
      try { return readdirSync(join(root, 'specs', d)).filter((x) => x.endsWith('.mms')).map((x) => join(root, 'specs', d, x)); } catch { return []; }
    });
    for (const f of files) {
      const source = readFileSync(f, 'utf8');
      const { spec } = parseSpec(source, f);
      if (!spec) continue;
      const it = new Interpreter(spec, source, { trace: false });
      for (const s of spec.statements) {
        if (s.type === 'explore' || s.type === 'race' || s.type.startsWith('expect')) break;
        try { it.exec(s); } catch { break; }
        for (const extra of ['', 'dev 0 1,2']) {
          const text = kernelStateText(it.k, extra), h = kernelStateHash(it.k, extra);
          expect(byText.get(text) ?? h).toBe(h);
          expect(byHash.get(h) ?? text).toBe(text);
          byText.set(text, h);
          byHash.set(h, text);
        }
      }
    }
    expect(byText.size).toBeGreaterThan(100);
  });

  it('StateHasher frames what it is fed', () => {
    const hash = (feed: (h: StateHasher) => void) => { const h = new StateHasher(); feed(h); return h.done(); };
    expect(hash((h) => { h.str('ab'); h.str('c'); })).not.toBe(hash((h) => { h.str('a'); h.str('bc'); }));
    expect(hash((h) => h.num(2 ** 40))).not.toBe(hash((h) => h.num(0)));
    expect(hash((h) => h.num(-1))).not.toBe(hash((h) => h.num(4294967295)));
    expect(hash((h) => h.num(7))).toBe(hash((h) => h.num(7)));
    expect(hashText('x')).toBe(hashText('x'));
  });
});
