#!/usr/bin/env node
// Builds mmspec: generates the parser from grammar/mmspec.peggy (typed ES module),
// then compiles src/ and bench/ into dist/ with tsc. Nobody edits generated code.
//   node scripts/build.mjs              generate + compile (skipped when up to date)
//   node scripts/build.mjs --parser     generate the parser only
//   node scripts/build.mjs --force      rebuild even when up to date
//   node scripts/build.mjs --clean      delete dist/ first, then rebuild (npm pack's prepack:
//                                       nothing stale from a deleted source file is shipped)
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateParser } from './gen-parser.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));

function newestMtime(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

generateParser(root);
if (args.has('--parser')) process.exit(0);

if (args.has('--clean')) rmSync(join(root, 'dist'), { recursive: true, force: true });
const stamp = join(root, 'dist', 'src', 'cli.js');
const sources = Math.max(newestMtime(join(root, 'src')), newestMtime(join(root, 'bench')),
  statSync(join(root, 'tsconfig.json')).mtimeMs);
if (!args.has('--force') && existsSync(stamp) && statSync(stamp).mtimeMs >= sources) process.exit(0);

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
try {
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
} catch {
  console.error('mmspec build: tsc failed (see above)');
  process.exit(1);
}
