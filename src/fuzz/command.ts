/**
 * `mmspec fuzz` on the command line:
 *
 *   mmspec fuzz [--seed S] [--count N] [--max-findings K]     a campaign (nothing lost, no crash)
 *   mmspec fuzz --mirror check=none,lock=off [--count N]      hunt for a scenario that breaks that variant
 *   mmspec fuzz --index I --seed S                            print scenario I of campaign S (to reproduce one)
 *
 * Exit 0: nothing found; 1: a finding (printed as a minimal spec); 2: bad arguments.
 */
import { checkScenario, runCampaign, type CampaignReport, type ShrunkFinding } from './campaign.js';
import { MIRROR_OPTIONS } from '../lang/options.js';
import { fuzzMutateCommand } from './mutate.js';

export interface FuzzIo {
  readonly cwd: string;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** A progress line may be redrawn (stderr is a terminal). */
  readonly progress?: (text: string) => void;
}

export const FUZZ_USAGE = `usage: mmspec fuzz [--seed S] [--count N] [--max-findings K] [--mirror OPT=V,…] [--index I]
       mmspec fuzz --mutate [--seed S] [--count N] [PATH…]
  random valid specs over the whole language, each checked: no internal error, no violation with the
  default mirror options, every page holding what it must at the end, the same trace twice; every
  failure is shrunk to a minimal spec. --mirror hunts for a scenario that breaks that driver variant.
  --mutate runs mutants of the specs under PATH (default specs/) through run and check: every exit
  must be 0, 1 or 2, located, without a stack trace, a hang or an exhausted heap.
  Defaults: --seed 1 --count 200 (--mutate: --count 1000). --no-color: no progress line redrawn on stderr.`;

/** Parses `fuzz`'s arguments and runs it. Returns the exit code (`--mutate`: a promise of it). */
export function cmdFuzz(args: readonly string[], io: FuzzIo): number | Promise<number> {
  if (args.includes('--mutate')) return fuzzMutateCommand(args, io);
  let seed = 1, count = 200, maxFindings = 5, index: number | undefined, mirror: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [flag, inline] = a.includes('=') && a.startsWith('--') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string | undefined => inline ?? args[++i];
    const int = (what: string, min: number): number | undefined => {
      const v = value();
      if (v === undefined || !/^[0-9]+$/.test(v) || Number(v) < min || !Number.isSafeInteger(Number(v))) {
        io.err(`mmspec fuzz: ${what} needs an integer ≥ ${min}\n${FUZZ_USAGE}`);
        return undefined;
      }
      return Number(v);
    };
    switch (flag) {
      case '--seed': { const v = int('--seed', 0); if (v === undefined) return 2; seed = v; break; }
      case '--count': { const v = int('--count', 1); if (v === undefined) return 2; count = v; break; }
      case '--max-findings': { const v = int('--max-findings', 1); if (v === undefined) return 2; maxFindings = v; break; }
      case '--index': { const v = int('--index', 0); if (v === undefined) return 2; index = v; break; }
      case '--mirror': {
        const v = value();
        const problem = v === undefined ? 'needs options, e.g. check=none,lock=off' : mirrorProblem(v);
        if (problem) { io.err(`mmspec fuzz: --mirror ${problem}\n${FUZZ_USAGE}`); return 2; }
        mirror = v!.split(',').map((x) => x.trim()).join(', ');
        break;
      }
      case '--help': case '-h': io.out(FUZZ_USAGE); return 0;
      default: io.err(`mmspec fuzz: unknown argument '${a}'\n${FUZZ_USAGE}`); return 2;
    }
  }
  const gen = mirror === undefined ? {} : { mirror };
  if (index !== undefined) {
    const r = checkScenario(seed, index, gen);
    io.out(r.text.replace(/\n$/, ''));
    if (r.finding) io.err(`finding (${r.finding.kind}): ${r.finding.message}`);
    return r.finding ? 1 : 0;
  }
  const report = runCampaign({
    seed, count, maxFindings: mirror === undefined ? maxFindings : 1, ...gen,
    onProgress: io.progress ? (done, found) => io.progress!(`fuzz seed ${seed}: ${done}/${count} scenarios, ${found} finding${found === 1 ? '' : 's'}`) : undefined,
  });
  io.progress?.('');
  printReport(report, mirror, io);
  return report.findings.length > 0 ? 1 : 0;
}

/** Checks `k=v,k=v` against the mirror option table (spec-language.md §7). */
function mirrorProblem(text: string): string | undefined {
  for (const part of text.split(',')) {
    const m = /^\s*([a-z-]+)\s*=\s*([a-z0-9]+)\s*$/.exec(part);
    if (!m) return `expects OPTION=VALUE pairs separated by commas, found '${part.trim()}'`;
    const spec = MIRROR_OPTIONS[m[1]!];
    if (!spec) return `has no option '${m[1]}' (options: ${Object.keys(MIRROR_OPTIONS).join(', ')})`;
    if (spec.kind === 'word' && !spec.values.includes(m[2]!)) return `${m[1]} takes ${spec.values.join(' or ')}, not '${m[2]}'`;
    if (spec.kind === 'int' && (!/^[0-9]+$/.test(m[2]!) || Number(m[2]) < spec.min)) return `${m[1]} takes an integer ≥ ${spec.min}`;
  }
  return undefined;
}

function printReport(r: CampaignReport, mirror: string | undefined, io: FuzzIo): void {
  const secs = (r.millis / 1000).toFixed(1);
  if (mirror !== undefined) {
    const f = r.findings[0];
    if (!f) {
      io.out(`no scenario broke an invariant of the mirror with ${mirror} in ${r.run} tries (seed ${r.seed}, ${secs} s)`);
      return;
    }
    io.out(`the mirror with ${mirror} breaks an invariant: found at try ${f.index + 1} (seed ${r.seed}, ${secs} s), shrunk from ${f.lines} to ${f.shrunkLines} lines`);
    io.out(`${f.kind}: ${f.message.split('\n')[0]}`);
    io.out('');
    io.out(f.spec.replace(/\n$/, ''));
    return;
  }
  for (const f of r.findings) printFinding(f, r.seed, io);
  io.out(`${r.run} scenarios (${r.judged} judged for contents and violations), ${r.statements} statements, seed ${r.seed}, ${secs} s: ` +
    (r.findings.length === 0 ? 'nothing found' : `${r.findings.length} finding${r.findings.length === 1 ? '' : 's'}`));
  // The closing line CI servers and scripts read.
  io.out(`fuzz: ${r.run - r.failed} passed, ${r.failed} failed`);
}

function printFinding(f: ShrunkFinding, seed: number, io: FuzzIo): void {
  io.out(`FINDING ${f.kind}: ${f.message.split('\n')[0]}`);
  io.out(`  scenario ${f.index} of seed ${seed} (mmspec fuzz --seed ${seed} --index ${f.index}), shrunk from ${f.lines} to ${f.shrunkLines} lines:`);
  io.out('');
  io.out(f.spec.replace(/\n$/, '').split('\n').map((l) => '    ' + l).join('\n'));
  io.out('');
}
