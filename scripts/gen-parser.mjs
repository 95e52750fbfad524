// Generates src/lang/parser.generated.js (+ .d.ts) from grammar/mmspec.peggy when the
// grammar is newer than the generated file. Used by scripts/build.mjs and by the Vite
// plugin, so `npx vitest` works on a fresh clone without a separate build step.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function generateParser(root) {
  const grammar = join(root, 'grammar', 'mmspec.peggy');
  const out = join(root, 'src', 'lang', 'parser.generated.js');
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(grammar).mtimeMs) return false;
  const peggy = join(root, 'node_modules', 'peggy', 'bin', 'peggy.js');
  execFileSync(process.execPath, [peggy, '--format', 'es', '--dts',
    '--return-types', JSON.stringify({ Spec: 'import("./ast.js").SpecFile' }),
    '--allowed-start-rules', 'Spec', '-o', out, grammar], { stdio: 'inherit' });
  return true;
}
