import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSpec } from './run/interp.js';

/**
 * Every example of the language reference runs (issue 14): a ```mms block of docs/reference.md
 * is a complete spec that must pass, so the reference cannot drift from the tool.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const page = readFileSync(join(root, 'docs', 'reference.md'), 'utf8');
const blocks = [...page.matchAll(/^```mms\n([\s\S]*?)^```$/gm)].map((m) => ({
  source: m[1]!, line: page.slice(0, m.index).split('\n').length + 1,
}));

describe('docs/reference.md', () => {
  it('has examples', () => {
    expect(blocks.length).toBeGreaterThan(10);
  });

  for (const b of blocks) {
    const title = /^spec "([^"]*)"/.exec(b.source)?.[1] ?? `block at line ${b.line}`;
    it(`example at line ${b.line}: ${title}`, () => {
      const r = runSpec(b.source, `docs/reference.md:${b.line}`);
      expect(r.diagnostics.map((d) => `${d.line + b.line - 1}:${d.col} ${d.message}`)).toEqual([]);
      expect(r.failures.map((f) => `${f.line + b.line - 1}:${f.col} ${f.message}`)).toEqual([]);
    });
  }
});
