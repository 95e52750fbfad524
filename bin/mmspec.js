#!/usr/bin/env node
// The mmspec command. Node cannot run TypeScript: the CLI runs from dist/. In a checkout
// (scripts/build.mjs and src/ next to bin/) this launcher first brings dist/ up to date
// (generate the parser, compile with tsc; silent and quick when nothing changed). An
// installed package (`npm install -g mmspec-*.tgz`, or as a dependency) ships dist/ built
// at pack time (the prepack script) and has neither, so it runs dist/ as it is. Build
// output goes to stderr so that stdout carries only the command's own output
// (`mmspec trace x.mms > x.yaml`).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const buildScript = join(root, 'scripts', 'build.mjs');
if (existsSync(buildScript) && existsSync(join(root, 'src'))) {
  const build = spawnSync(process.execPath, [buildScript], { stdio: ['ignore', 2, 2] });
  if (build.status !== 0) {
    process.stderr.write(`mmspec: building ${root} failed (see above)\n`);
    process.exit(1);
  }
}
// A reader that goes away (`mmspec run | head`) is not an error of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => { if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0); throw err; });
}
const { runCli } = await import(pathToFileURL(join(root, 'dist', 'src', 'cli.js')).href);
process.exitCode = await runCli(process.argv.slice(2));
