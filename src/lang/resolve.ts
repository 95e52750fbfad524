/**
 * The names pass of the static checks (check.ts): walks the statements in the order they
 * happen, keeping what each point of the spec knows — processes, files, devices, and each
 * process's regions with their sizes and `at` placements — and reports every reference
 * that does not resolve.
 *
 * Scoping rules (docs/language.md, "Static rules"):
 * - processes, files and devices are global; regions belong to a process; a forked child
 *   starts with copies of its parent's regions; `mremap` keeps the name; `munmap` of a whole
 *   region keeps the name too (later accesses fault at run time) but frees its placement.
 * - a range without a process (`heap[0]`, `0x7f…`) belongs to the actor; outside a process
 *   statement (kernel statements, expectations) it must name one (`vm1.heap[0]`).
 */
import type {
  Expectation, Int, Loc, MmapAnon, MmapDev, MmapFile, Name, Range, SpecFile, Statement, ThreadStmt,
} from './ast.js';
import type { Report } from './check.js';
import { DMIRROR_COUNTERS, DMIRROR_ERRNOS, MIRROR_COUNTERS, SIGNALS, SYSCALL_ERRNOS, listWords } from './names.js';
import { MAX_ACCESS_PAGES, MAX_MAP_PAGES } from './limits.js';

export const PAGE_SIZE = 4096;

interface Region {
  readonly pages: number;
  /**
   * Start address: from `at` or `mremap … to`, or for an unplaced mapping where mmspec's
   * deterministic placement puts it (bottom-up from 0x7f0000000000, a guard page after
   * each mapping, 2 MiB alignment for `huge`: the same rule as the kernel's).
   */
  start: number | undefined;
  /** False once the whole region was unmapped or its process exited. */
  live: boolean;
  /**
   * Page intervals [from, to) of the region unmapped by a partial munmap (they no longer
   * overlap anything): sorted, disjoint and merged, so that a region of millions of pages
   * costs what its munmaps cost, not what its pages do.
   */
  holes: readonly (readonly [number, number])[];
  /** A mapping that cannot exist (0 pages, or one expected to fail): its name is known, its pages are not checked. */
  readonly phantom?: boolean;
}

interface Device {
  readonly kind: 'mirror' | 'dmirror';
  readonly opener: string;
  closed: boolean;
}

interface Scope {
  readonly processes: Map<string, Map<string, Region>>;
  /** Processes that exited (`exit`): they run nothing more. */
  readonly exited: Set<string>;
  /**
   * Processes `kernel: oom` killed, with its line: they run nothing more, but an access
   * may still be written to show that it gets SIGKILL (`read … expect SIGKILL`).
   */
  readonly killed: Map<string, number>;
  readonly files: Map<string, number>;
  readonly devices: Map<string, Device>;
  /** The threads of the race block just before (only expectations since): `expect t1 SIGBUS`. */
  raceThreads?: ReadonlySet<string> | undefined;
}

/** Resolves every name of the spec in statement order; see the file comment. */
export function checkNames(spec: SpecFile, report: Report): void {
  const scope: Scope = { processes: new Map(), exited: new Set(), killed: new Map(), files: new Map(), devices: new Map() };
  for (const stmt of spec.statements) visitStatement(stmt, scope, report);
}

function visitStatement(stmt: Statement, scope: Scope, report: Report): void {
  if (!isExpectation(stmt)) scope.raceThreads = undefined;
  switch (stmt.type) {
    case 'spec': case 'tags': case 'memory': case 'swap':
      return;
    case 'process':
      declareProcess(stmt.name, scope, report);
      return;
    case 'file':
      declareFile(stmt, scope, report);
      return;
    case 'race': case 'explore': {
      // A kill inside the block may come before or after another thread's statement: it
      // counts from the statement after the block (the run judges threads as they go).
      const killedBefore = new Map(scope.killed);
      // The threads run concurrently: any of them may name what another creates or removes
      // (issue 14: `t1 = vm1: exit` before `t2 = vm1: read heap[0]` was rejected, the reverse
      // ran). So they are checked by what they do, not in declaration order: forks first (a
      // child forked by one thread may be named by the others, which wait for it), then the
      // statements that create names, then the rest, and last those that remove or move them.
      const byPhase = [...stmt.threads].sort((a, b) => threadPhase(a.stmt) - threadPhase(b.stmt));
      for (const t of byPhase) visitThreadStmt(t.stmt, { ...scope, killed: new Map(killedBefore) }, report);
      for (const t of stmt.threads) {
        if (t.stmt.type === 'kernelOom' && !scope.killed.has(t.stmt.process.name)) scope.killed.set(t.stmt.process.name, t.stmt.loc.line);
      }
      const names = new Set(stmt.threads.map((t) => t.name.name));
      if (stmt.type === 'explore') {
        for (const o of stmt.outcomes) {
          // An interleaving's final state is judged; `expect trace` judges events since the last one.
          if (o.cond.type === 'expectTrace') report(o.cond, 'expect trace is not an explore outcome: it judges the events since the last expect trace, not a final state');
          else visitExpectation(o.cond, scope, report, names);
        }
      }
      else scope.raceThreads = names;
      return;
    }
    default:
      if (isExpectation(stmt)) visitExpectation(stmt, scope, report, scope.raceThreads);
      else visitThreadStmt(stmt, scope, report);
  }
}

/**
 * The order in which the static check sees a block's thread statements: 0 fork, 1 creates a
 * name (mmap, open), 2 uses names, 3 removes or moves them (exit, munmap, mremap, mprotect,
 * close, oom). The sort is stable: declaration order within a phase.
 */
function threadPhase(s: Statement): number {
  switch (s.type) {
    case 'fork': return 0;
    case 'mmapAnon': case 'mmapFile': case 'mmapDev': case 'openMirror': case 'openDmirror': return 1;
    case 'exit': case 'munmap': case 'mremap': case 'mprotect': case 'close': case 'kernelOom': return 3;
    default: return 2;
  }
}

function isExpectation(stmt: Statement): stmt is Expectation {
  return stmt.type.startsWith('expect');
}

// ---------------------------------------------------------------- declarations

function declareProcess(name: Name, scope: Scope, report: Report): Map<string, Region> | undefined {
  if (scope.processes.has(name.name)) {
    report(name, `duplicate process "${name.name}"`);
    return undefined;
  }
  const regions = new Map<string, Region>();
  scope.processes.set(name.name, regions);
  return regions;
}

function declareFile(stmt: Extract<Statement, { type: 'file' }>, scope: Scope, report: Report): void {
  if (scope.files.has(stmt.name.name)) report(stmt.name, `duplicate file "${stmt.name.name}"`);
  if (stmt.pages.value < 1) report(stmt.pages, 'a file needs at least 1 page');
  if (stmt.values !== undefined && stmt.values.length !== stmt.pages.value) {
    report(stmt.values[0] ?? stmt, `file ${stmt.name.name} has ${stmt.pages.value} pages but ${stmt.values.length} values: give exactly one value per page`);
  }
  scope.files.set(stmt.name.name, stmt.pages.value);
}

/** The regions of a known process, or a report of the unknown name. */
function lookupProcess(name: Name, scope: Scope, report: Report): Map<string, Region> | undefined {
  const p = scope.processes.get(name.name);
  if (p === undefined) report(name, `unknown process "${name.name}"${known(scope.processes.keys(), 'processes')}`);
  return p;
}

function lookupDevice(name: Name, scope: Scope, report: Report, kind?: Device['kind']): Device | undefined {
  const d = scope.devices.get(name.name);
  if (d === undefined) {
    report(name, `unknown device "${name.name}"${known(scope.devices.keys(), 'devices')}`);
    return undefined;
  }
  if (kind !== undefined && d.kind !== kind) {
    report(name, `device ${name.name} is a ${d.kind}, not a ${kind}`);
    return undefined;
  }
  return d;
}

function known(names: Iterable<string>, what: string): string {
  const list = [...names];
  return list.length === 0 ? ` (no ${what} declared yet)` : ` (known: ${listWords(list)})`;
}

// ---------------------------------------------------------------- process, dmirror and kernel statements

function visitThreadStmt(stmt: ThreadStmt, scope: Scope, report: Report): void {
  if (stmt.type.startsWith('kernel')) {
    visitKernelStmt(stmt, scope, report);
    return;
  }
  if (stmt.type.startsWith('dmirror')) {
    visitDmirrorStmt(stmt, scope, report);
    return;
  }
  if (!('actor' in stmt) || stmt.actor === undefined) return;
  const regions = lookupProcess(stmt.actor, scope, report);
  if (regions === undefined) return;
  if (scope.exited.has(stmt.actor.name)) {
    report(stmt.actor, `process ${stmt.actor.name} has exited: it can run nothing more`);
    return;
  }
  const killedAt = scope.killed.get(stmt.actor.name);
  const expectsKill = (stmt.type === 'read' || stmt.type === 'write') && stmt.expectSignal?.value === 'SIGKILL';
  if (killedAt !== undefined && !expectsKill) {
    report(stmt.actor, `process ${stmt.actor.name} was killed by the OOM killer at line ${killedAt}: it runs nothing more ` +
      '(a read or write of it can only expect SIGKILL)');
    return;
  }
  visitProcessStmt(stmt, stmt.actor.name, regions, scope, report);
}

function visitProcessStmt(stmt: ThreadStmt, actor: string, regions: Map<string, Region>, scope: Scope, report: Report): void {
  switch (stmt.type) {
    case 'mmapAnon': case 'mmapFile': case 'mmapDev':
      checkMmap(stmt, actor, regions, scope, report);
      return;
    case 'openMirror':
      lookupProcess(stmt.target, scope, report);
      openDevice(stmt.device, 'mirror', actor, scope, report);
      return;
    case 'openDmirror':
      openDevice(stmt.device, 'dmirror', actor, scope, report);
      return;
    case 'close': {
      const d = lookupDevice(stmt.device, scope, report);
      if (d?.closed === true) report(stmt.device, `device ${stmt.device.name} is already closed`);
      if (d !== undefined) d.closed = true;
      return;
    }
    case 'read': case 'write':
      checkAccess(stmt.range, resolveRange(stmt.range, actor, scope, report), report);
      return;
    case 'mprotect': case 'madvise':
      resolveRange(stmt.range, actor, scope, report);
      return;
    case 'munmap': {
      // A range that did not resolve (reported) unmaps nothing here: [510..2^53] would list 2^53 holes.
      const pages = resolveRange(stmt.range, actor, scope, report);
      if (stmt.expectErrno === undefined && pages !== undefined) unmapRange(stmt.range, actor, scope);
      return;
    }
    case 'mremap':
      checkMremap(stmt, regions, report);
      return;
    case 'fork': {
      const child = declareProcess(stmt.child, scope, report);
      for (const [name, r] of regions) child?.set(name, { ...r });
      return;
    }
    case 'exit':
      for (const r of regions.values()) r.live = false;
      placed.delete(regions);
      scope.exited.add(actor);
      return;
    default:
      return;
  }
}

function openDevice(name: Name, kind: Device['kind'], opener: string, scope: Scope, report: Report): void {
  if (scope.devices.has(name.name)) {
    report(name, `duplicate device "${name.name}"`);
    return;
  }
  scope.devices.set(name.name, { kind, opener, closed: false });
}

/** Sizes, placement, the file or device behind the mapping, then the new region's name. */
function checkMmap(stmt: MmapAnon | MmapFile | MmapDev, actor: string, regions: Map<string, Region>, scope: Scope, report: Report): void {
  // A statement that expects an errno tests a failure: a zero length or an unaligned
  // address is then what it means to try (EINVAL at run time), not bad input.
  const failing = stmt.expectErrno !== undefined;
  if (stmt.pages.value < 1 && !failing) report(stmt.pages, 'a mapping needs at least 1 page');
  if (stmt.pages.value > MAX_MAP_PAGES && !failing) {
    report(stmt.pages, `a mapping of ${stmt.pages.raw} pages is beyond mmspec's limit of ${MAX_MAP_PAGES} pages (128 GiB)`);
  }
  if (stmt.type === 'mmapFile' && !scope.files.has(stmt.file.name)) {
    report(stmt.file, `unknown file "${stmt.file.name}"${known(scope.files.keys(), 'files')}`);
  }
  if (stmt.type === 'mmapDev') checkMirrorTarget(stmt, scope, report);
  const aligned = stmt.at === undefined || failing || checkAligned(stmt.at, report);
  if (stmt.at !== undefined && aligned && !failing) checkOverlap(stmt.at, stmt.pages.value, actor, regions, report);
  if (regions.has(stmt.name.name)) {
    report(stmt.name, `duplicate region "${stmt.name.name}" of process ${actor}: region names are never reused, choose another`);
    return;
  }
  // A mapping over the limit was reported: its pages are not tracked.
  const phantom = failing || stmt.pages.value < 1 || stmt.pages.value > MAX_MAP_PAGES || !aligned;
  const huge = stmt.type === 'mmapAnon' && stmt.huge;
  const start = phantom ? undefined : stmt.at?.value ?? placement(regions, stmt.pages.value, huge);
  regions.set(stmt.name.name, { pages: stmt.pages.value, start, live: !phantom, holes: [], phantom });
  if (start !== undefined) addPlaced(regions, start, start + stmt.pages.value * PAGE_SIZE);
}

/** Where the kernel places an unplaced mapping (src/kernel/mmap.ts, Mm.unmappedArea). */
const MMAP_BASE = 0x7f00_0000_0000;
const HPAGE_SIZE = 2 * 1024 * 1024;
function placement(regions: Map<string, Region>, pages: number, huge: boolean): number {
  const align = huge ? HPAGE_SIZE : PAGE_SIZE;
  const len = pages * PAGE_SIZE;
  const taken = placedOf(regions);
  let addr = Math.ceil(MMAP_BASE / align) * align;
  for (const v of taken) {
    if (v.end + PAGE_SIZE <= addr) continue;
    if (addr + len + PAGE_SIZE <= v.start) break;
    addr = Math.ceil((v.end + PAGE_SIZE) / align) * align;
  }
  return addr;
}

/**
 * The live placed regions of a process as address intervals sorted by start, kept between
 * mmaps (a spec of thousands of mmaps would sort them all for each) and dropped when a
 * region moves or dies.
 */
const placed = new WeakMap<Map<string, Region>, { start: number; end: number }[]>();
function placedOf(regions: Map<string, Region>): readonly { start: number; end: number }[] {
  let list = placed.get(regions);
  if (list === undefined) {
    list = [...regions.values()]
      .filter((r) => r.live && r.start !== undefined)
      .map((r) => ({ start: r.start!, end: r.start! + r.pages * PAGE_SIZE }))
      .sort((a, b) => a.start - b.start);
    placed.set(regions, list);
  }
  return list;
}
function addPlaced(regions: Map<string, Region>, start: number, end: number): void {
  const list = placed.get(regions);
  if (list === undefined) return;
  let i = list.length;
  while (i > 0 && list[i - 1]!.start > start) i--;
  list.splice(i, 0, { start, end });
}

/** `mmap DEV … target P.R[i]`: an open mirror device, and i + N pages inside region R. */
function checkMirrorTarget(stmt: MmapDev, scope: Scope, report: Report): void {
  const d = lookupDevice(stmt.device, scope, report, 'mirror');
  if (d?.closed === true) report(stmt.device, `device ${stmt.device.name} is closed: mmap it before close`);
  const t = stmt.target;
  const regions = lookupProcess(t.process, scope, report);
  if (regions === undefined) return;
  const region = regions.get(t.region.name);
  if (region === undefined) {
    report(t.region, `unknown region "${t.region.name}" of process ${t.process.name}${known(regions.keys(), 'regions')}`);
    return;
  }
  // A mirror may run past the end of its target region: those pages mirror the guard hole
  // after it, and a fault there gets SIGBUS (kernel-model.md §7), which a spec may show.
  if (t.index.value >= region.pages) {
    report(t.index, `page ${t.index.value} is out of range: region ${t.region.name} of ${t.process.name} has ${region.pages} pages`);
  }
}

function checkMremap(stmt: Extract<ThreadStmt, { type: 'mremap' }>, regions: Map<string, Region>, report: Report): void {
  const region = regions.get(stmt.region.name);
  if (region === undefined) {
    report(stmt.region, `unknown region "${stmt.region.name}" of process ${stmt.actor.name}${known(regions.keys(), 'regions')}`);
    return;
  }
  // mremap to an unaligned address is Linux's EINVAL (spec-language.md §5), not bad input.
  if (stmt.to.value % PAGE_SIZE !== 0 || stmt.expectErrno !== undefined) return;
  const others = new Map([...regions].filter(([name]) => name !== stmt.region.name));
  checkOverlap(stmt.to, region.pages, stmt.actor.name, others, report);
  region.start = stmt.to.value;
  placed.delete(regions);
}

/** Notes what `munmap` takes away: the whole region, or some of its pages. */
function unmapRange(range: Range, actor: string, scope: Scope): void {
  if (range.type !== 'regionRange') return;
  const region = scope.processes.get(range.process?.name ?? actor)?.get(range.region.name);
  if (region === undefined || region.phantom) return;
  const from = range.slice?.start.value ?? 0;
  const to = range.slice === undefined ? region.pages : range.slice.end?.value ?? from + 1;
  region.holes = addHole(region.holes, from, to);
  if (region.holes.length === 1 && region.holes[0]![0] === 0 && region.holes[0]![1] >= region.pages) {
    region.live = false;
    placed.delete(scope.processes.get(range.process?.name ?? actor)!);
  }
}

/** `holes` with [from, to) added, merged with the intervals it touches. */
function addHole(holes: readonly (readonly [number, number])[], from: number, to: number): [number, number][] {
  const out: [number, number][] = [];
  for (const [a, b] of holes) {
    if (b < from || a > to) out.push([a, b]);
    else { from = Math.min(from, a); to = Math.max(to, b); }
  }
  out.push([from, to]);
  return out.sort((x, y) => x[0] - y[0]);
}

/** Whether pages [from, to) of a region are all unmapped (inside one merged hole). */
function allHoles(holes: readonly (readonly [number, number])[], from: number, to: number): boolean {
  return holes.some(([a, b]) => a <= from && to <= b);
}

function checkAligned(addr: Int, report: Report): boolean {
  if (addr.value % PAGE_SIZE === 0) return true;
  report(addr, `unaligned address ${addr.raw}: addresses are multiples of the page size (0x1000)`);
  return false;
}

/** An `at` placement must not overlap a live region of the same process placed at a known address. */
function checkOverlap(at: Int, pages: number, actor: string, regions: Map<string, Region>, report: Report): void {
  const start = at.value;
  const end = start + pages * PAGE_SIZE;
  for (const [name, r] of regions) {
    if (!r.live || r.start === undefined) continue;
    const rEnd = r.start + r.pages * PAGE_SIZE;
    // The pages of r that [start, end) overlaps, as page indexes of r.
    const from = Math.max(0, Math.floor((start - r.start) / PAGE_SIZE));
    const to = Math.min(r.pages, Math.ceil((end - r.start) / PAGE_SIZE));
    if (start < rEnd && r.start < end && !allHoles(r.holes, from, to)) {
      report(at, `mapping at ${at.raw} overlaps region ${name} of ${actor} (${hex(r.start)}..${hex(rEnd)}): munmap it first`);
      return;
    }
  }
}

function visitDmirrorStmt(stmt: ThreadStmt, scope: Scope, report: Report): void {
  if (stmt.type !== 'dmirrorRead' && stmt.type !== 'dmirrorWrite' && stmt.type !== 'dmirrorSnapshot' && stmt.type !== 'dmirrorMigrate') return;
  if (stmt.actor !== undefined && lookupProcess(stmt.actor, scope, report) === undefined) return;
  const d = lookupDevice(stmt.device, scope, report, 'dmirror');
  if (d === undefined) return;
  if (stmt.actor !== undefined && stmt.actor.name !== d.opener) {
    report(stmt.actor, `dmirror ${stmt.device.name} was opened by ${d.opener}: only its opener drives it`);
    return;
  }
  const pages = checkAccess(stmt.range, resolveRange(stmt.range, d.opener, scope, report), report);
  const counted = stmt.type === 'dmirrorRead' ? stmt.expectValues
    : stmt.type === 'dmirrorWrite' ? stmt.values
      : stmt.type === 'dmirrorSnapshot' ? stmt.expectPerms : undefined;
  if (pages !== undefined && counted !== undefined && counted.length !== pages) {
    report(counted[0] ?? stmt, `${counted.length} ${counted.length === 1 ? 'entry' : 'entries'} for a range of ${pages} pages: give one per page`);
  }
}

function visitKernelStmt(stmt: ThreadStmt, scope: Scope, report: Report): void {
  switch (stmt.type) {
    case 'kernelReclaim': case 'kernelMigrate': case 'kernelKhugepaged': case 'kernelNumaScan':
      resolveRange(stmt.range, undefined, scope, report);
      return;
    case 'kernelKsm':
      for (const r of [stmt.first, stmt.second]) {
        const pages = resolveRange(r, undefined, scope, report);
        if (pages !== undefined && pages !== 1) report(r, `ksm merges single pages: this range has ${pages} pages`);
      }
      return;
    case 'kernelReclaimPages':
      if (stmt.count.value < 1) report(stmt.count, 'reclaim needs a count of at least 1 page');
      return;
    case 'kernelWriteback':
      if (!scope.files.has(stmt.file.name)) report(stmt.file, `unknown file "${stmt.file.name}"${known(scope.files.keys(), 'files')}`);
      return;
    case 'kernelOom': {
      const regions = lookupProcess(stmt.process, scope, report);
      for (const r of regions?.values() ?? []) r.live = false;
      if (regions !== undefined) placed.delete(regions);
      if (!scope.killed.has(stmt.process.name)) scope.killed.set(stmt.process.name, stmt.loc.line);
      return;
    }
    default:
      return;
  }
}

// ---------------------------------------------------------------- expectations

/** `threads`: the names an `expect THREAD …` may use here (an explore's, or the race's just before). */
function visitExpectation(stmt: Expectation, scope: Scope, report: Report, threads?: ReadonlySet<string>): void {
  switch (stmt.type) {
    case 'expectThread': {
      const name = stmt.thread.name;
      if (threads === undefined) {
        report(stmt.thread, `expect ${name} …: a thread's result is an outcome of explore, or an expectation right after a race block (only expectations between)`);
      } else if (!threads.has(name)) {
        report(stmt.thread, `unknown thread "${name}" (threads of the block: ${[...threads].join(', ')})`);
      }
      const results: readonly string[] = ['ok', 'reads', ...SIGNALS, ...SYSCALL_ERRNOS, ...DMIRROR_ERRNOS.filter((e) => !(SYSCALL_ERRNOS as readonly string[]).includes(e))];
      if (!results.includes(stmt.result.value)) {
        report(stmt.result, `expected a thread result (ok, reads V, ${listWords([...SIGNALS, ...SYSCALL_ERRNOS])}), found ${JSON.stringify(stmt.result.value)}`);
      }
      return;
    }
    case 'expectPte':
      checkAccess(stmt.range, resolveRange(stmt.range, undefined, scope, report), report);
      if (stmt.maps !== undefined) resolveRange(stmt.maps, undefined, scope, report);
      return;
    case 'expectHolds': case 'expectPage':
      checkAccess(stmt.range, resolveRange(stmt.range, undefined, scope, report), report);
      return;
    case 'expectCounters': {
      const d = lookupDevice(stmt.device, scope, report);
      const names: readonly string[] = d?.kind === 'dmirror' ? DMIRROR_COUNTERS : d?.kind === 'mirror' ? MIRROR_COUNTERS : [...MIRROR_COUNTERS, ...DMIRROR_COUNTERS];
      const seen = new Set<string>();
      for (const c of stmt.counters) {
        if (!names.includes(c.name.value)) {
          report(c.name, `expected a counter of ${d === undefined ? 'a device' : `${d.kind} ${stmt.device.name}`} (${listWords(names)}), found ${JSON.stringify(c.name.value)}`);
        } else if (seen.has(c.name.value)) {
          report(c.name, `counter ${c.name.value} is given twice`);
        }
        seen.add(c.name.value);
      }
      return;
    }
    case 'expectCoherent':
      lookupDevice(stmt.device, scope, report);
      return;
    case 'expectViolation': case 'expectTrace': case 'expectNoEvent':
      return;
  }
}

// ---------------------------------------------------------------- ranges

/**
 * Resolves a range against the process it names or the actor (`undefined` outside process
 * statements); returns its number of pages when known, undefined when it did not resolve.
 */
function resolveRange(range: Range, actor: string | undefined, scope: Scope, report: Report): number | undefined {
  if (range.process !== undefined && actor !== undefined && range.process.name !== actor) {
    report(range.process, `a statement of ${actor} acts on ${actor}'s own memory: drop "${range.process.name}${range.type === 'regionRange' ? '.' : '@'}"`);
    return undefined;
  }
  const owner = range.process?.name ?? actor;
  if (owner === undefined) {
    const example = range.type === 'regionRange' ? `vm1.${range.region.name}` : `vm1@${range.address.raw}`;
    report(range, `name the process here, as in ${example}: only a process statement has an actor`);
    return undefined;
  }
  const regions = range.process !== undefined ? lookupProcess(range.process, scope, report) : scope.processes.get(owner);
  if (regions === undefined) return undefined;
  if (range.type === 'addressRange') return checkAligned(range.address, report) ? 1 : undefined;
  const region = regions.get(range.region.name);
  if (region === undefined) {
    report(range.region, `unknown region "${range.region.name}" of process ${owner}${known(regions.keys(), 'regions')}`);
    return undefined;
  }
  if (region.phantom) return undefined;
  return sliceLength(range.slice, region.pages, range.region.name, report);
}

/** A range a statement goes through page by page: at most MAX_ACCESS_PAGES pages. */
function checkAccess(range: Range, pages: number | undefined, report: Report): number | undefined {
  if (pages !== undefined && pages > MAX_ACCESS_PAGES) {
    report(range, `a range of ${pages} pages is beyond mmspec's limit of ${MAX_ACCESS_PAGES} pages for a statement that goes page by page`);
  }
  return pages;
}

/** Pages a slice selects of a region of `pages` pages; reports indexes outside it. */
function sliceLength(slice: { start: Int; end?: Int; loc: Loc } | undefined, pages: number, region: string, report: Report): number | undefined {
  if (slice === undefined) return pages;
  const { start, end } = slice;
  if (start.value >= pages) {
    report(start, `page ${start.value} is out of range: region ${region} has ${pages} pages (0..${pages - 1})`);
    return undefined;
  }
  if (end === undefined) return 1;
  if (end.value > pages) {
    report(end, `end ${end.value} is out of range: region ${region} has ${pages} pages (the end of [a..b] is exclusive, at most ${pages})`);
    return undefined;
  }
  if (end.value <= start.value) {
    report(slice, `empty range [${start.value}..${end.value}]: the end is exclusive and must be greater than the start`);
    return undefined;
  }
  return end.value - start.value;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/**
 * The processes a statement names — its actor, the processes of its ranges and target,
 * a mirror's target process, an OOM victim — in the order written, each once. A thread of
 * a race/explore block waits until all of them exist (a child forked by another thread).
 */
export function processesNamed(stmt: ThreadStmt): string[] {
  const out = new Set<string>();
  const walk = (node: unknown, key: string): void => {
    if (typeof node !== 'object' || node === null || key === 'loc') return;
    const n = node as { type?: string; name?: unknown };
    if (n.type === 'name') {
      if (key === 'actor' || key === 'process' || (key === 'target' && stmt.type === 'openMirror')) out.add(n.name as string);
      return;
    }
    for (const [k, v] of Object.entries(node)) walk(v, k);
  };
  walk(stmt, '');
  return [...out];
}
