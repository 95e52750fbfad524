import type * as A from '../lang/ast.js';
import { KernelError, PAGE_SIZE, SimulatorBug, type Op, type Value } from '../kernel/types.js';
import { PTE_KIND_MASK, PTE_PRESENT, PTE_DEVICE, PTE_WRITE } from '../kernel/pte.js';
import { dmirrorOpen, dmirrorClose, type Dmirror } from '../drivers/dmirror.js';
import { SpecFailure, type Interpreter } from './exec.js';
import { valueText } from './trace.js';
import type { Check } from './expect.js';
import type { DeviceHandle, Proc, World } from './world.js';

/**
 * The interpreter side of dmirror (spec-language.md §7b): `open dmirror`, `close`, and the
 * `dmirror D read|write|snapshot|migrate` ioctls, their expectations and counters.
 * Each ioctl's outcome is one `driver` line in the trace, named by region:
 *   d: read buf[0..8] faults 1 cpages 8
 *   d: migrate buf[0..6] = ENOENT: …
 */

/** A dmirror the spec opened. Counters are those the last successful command copied back. */
export class DmirrorHandle implements DeviceHandle {
  readonly kind = 'dmirror' as const;
  faults = 0;
  cpages = 0;
  constructor(readonly name: string, readonly opener: Proc, readonly mirror: Dmirror, private readonly w: World) {}

  counters(): Record<string, number> {
    return { faults: this.faults, cpages: this.cpages };
  }

  /** The final state: owner, counters and the device page table folded into runs. */
  describe(): string[] {
    const lines = [`dmirror of ${this.opener.name}${this.mirror.closed ? ' (closed)' : ''}: faults ${this.faults} cpages ${this.cpages}`];
    const vpns = [...this.mirror.pt.keys()].sort((a, b) => a - b);
    let run: { first: number; last: number; pfn0: number; pfn1: number; write: boolean } | undefined;
    const flush = () => {
      if (!run) return;
      const where = this.w.rangeName(this.opener.pid, run.first * PAGE_SIZE, (run.last + 1) * PAGE_SIZE);
      const pfns = run.pfn0 === run.pfn1 ? `pfn ${run.pfn0}` : `pfn ${run.pfn0}..${run.pfn1}`;
      lines.push(`${where}: ${run.pfn0 === 0 && run.pfn1 === 0 ? 'zero' : pfns} ${run.write ? 'write' : 'read'}`);
      run = undefined;
    };
    for (const vpn of vpns) {
      const e = this.mirror.pt.get(vpn)!;
      const zero = e.pfn === 0;
      if (run && run.last + 1 === vpn && run.write === e.write && (zero ? run.pfn1 === 0 : run.pfn1 !== 0 && run.pfn1 + 1 === e.pfn)) {
        run.last = vpn; run.pfn1 = e.pfn;
      } else {
        flush();
        run = { first: vpn, last: vpn, pfn0: e.pfn, pfn1: e.pfn, write: e.write };
      }
    }
    flush();
    return lines;
  }
}

export type DmirrorStmtAny = A.OpenDmirror | A.Close | A.DmirrorStmt;

const DMIRROR_TYPES = new Set(['openDmirror', 'dmirrorRead', 'dmirrorWrite', 'dmirrorSnapshot', 'dmirrorMigrate']);

/** Whether `s` is a dmirror statement (a `close` is one when it names a dmirror). */
export function isDmirrorStmt(it: Interpreter, s: A.Statement): boolean {
  if (DMIRROR_TYPES.has(s.type)) return true;
  return s.type === 'close' && it.w.devices.get(s.device.name)?.kind === 'dmirror';
}

export function execDmirrorStmt(it: Interpreter, stmt: A.Statement): void {
  const s = stmt as DmirrorStmtAny;
  switch (s.type) {
    case 'openDmirror': {
      const p = it.w.proc(s.actor.name);
      const mirror = dmirrorOpen(it.k, p.mm, s.device.name);
      it.w.devices.set(s.device.name, new DmirrorHandle(s.device.name, p, mirror, it.w));
      it.k.emit({ e: 'driver', dev: s.device.name, what: `open /dev/hmm_dmirror0: mirrors ${p.name}` });
      return;
    }
    case 'close': {
      const h = handle(it, s.device);
      dmirrorClose(h.mirror);
      it.k.emit({ e: 'driver', dev: h.name, what: 'close' });
      return;
    }
    default: {
      const h = handle(it, s.device);
      const actor = s.actor ? it.w.proc(s.actor.name) : h.opener;
      it.runOp(ioctl(it, s, actor.pid), `dmirror ${s.type}`);
    }
  }
}

/**
 * A dmirror statement as a thread of `race`/`explore`: the ioctl's own steps (begin,
 * snapshot, lock, check, insert, unlock, …); open and close are one step.
 */
export function* dmirrorThreadOp(it: Interpreter, stmt: A.Statement, task: number): Op<void> {
  const s = stmt as DmirrorStmtAny;
  if (s.type === 'openDmirror' || s.type === 'close') return execDmirrorStmt(it, s);
  yield* ioctl(it, s, task);
}

function handle(it: Interpreter, dev: A.Name): DmirrorHandle {
  const h = it.w.devices.get(dev.name);
  if (!(h instanceof DmirrorHandle)) throw new SimulatorBug(`dmirror: ${dev.name} is not an open dmirror`);
  return h;
}

type Outcome = { cpages: number; faults: number; values?: Value[]; perms?: string[] } | KernelError;

const CMD = { dmirrorRead: 'read', dmirrorWrite: 'write', dmirrorSnapshot: 'snapshot', dmirrorMigrate: 'migrate' } as const;

/** One ioctl on behalf of `task`, judged against the statement's expectations. */
function* ioctl(it: Interpreter, s: A.DmirrorStmt, task: number): Op<void> {
  const h = handle(it, s.device);
  const cmd = CMD[s.type];
  const actor = s.actor ? it.w.proc(s.actor.name) : h.opener;
  const pg = it.pages(s.range, actor.name);
  const addr = pg.addrs[0]!, n = pg.addrs.length;
  const m = h.mirror;
  const r: Outcome =
    s.type === 'dmirrorRead' ? yield* m.read(task, addr, n)
    : s.type === 'dmirrorWrite' ? yield* m.write(task, addr, s.values.map((v) => v.value))
    : s.type === 'dmirrorSnapshot' ? yield* m.snapshot(task, addr, n)
    : yield* m.migrate(task, addr, n);
  const where = it.w.rangeName(pg.proc.pid, addr, addr + n * PAGE_SIZE);
  const expected = 'expectErrno' in s ? s.expectErrno : undefined;
  if (r instanceof KernelError) {
    it.opResult = r.errno; // a thread's result (v1.1)
    it.k.emit({ e: 'driver', dev: h.name, what: `${cmd} ${where} = ${r.errno}: ${r.reason}` });
    if (expected?.value === r.errno) return;
    if (expected) throw new SpecFailure(s.loc, `dmirror ${cmd} failed with ${r.errno} (${r.reason}), but ${expected.value} was expected`);
    throw new SpecFailure(s.loc, `dmirror ${cmd} of ${where} failed with ${r.errno}: ${r.reason}`);
  }
  if (cmd === 'read' && r.values) it.opReads.push(...r.values);
  h.cpages = r.cpages;
  h.faults = r.faults;
  const shown = r.perms ? ` = ${foldList(r.perms)}` : r.values && cmd === 'read' ? ` = ${foldList(r.values.map(valueText))}` : '';
  it.k.emit({ e: 'driver', dev: h.name, what: `${cmd} ${where} faults ${r.faults} cpages ${r.cpages}${shown}` });
  if (expected) throw new SpecFailure(s.loc, `dmirror ${cmd} succeeded, but ${expected.value} was expected`);
  if (s.type === 'dmirrorRead' && s.expectValues) {
    const i = s.expectValues.findIndex((v, j) => v.value !== r.values![j]);
    if (i >= 0) {
      throw new SpecFailure(s.expectValues[i]!.loc,
        `dmirror read of ${it.w.addrName(pg.proc.pid, pg.addrs[i]!)} returned ${valueText(r.values![i]!)}, expected ${valueText(s.expectValues[i]!.value)}`);
    }
  }
  if (s.type === 'dmirrorSnapshot' && s.expectPerms) {
    const i = s.expectPerms.findIndex((p, j) => !samePerm(p.flags, r.perms![j]!));
    if (i >= 0) {
      throw new SpecFailure(s.expectPerms[i]!.loc,
        `dmirror snapshot of ${it.w.addrName(pg.proc.pid, pg.addrs[i]!)} is ${r.perms![i]}, expected ${s.expectPerms[i]!.text}`);
    }
  }
}

/** PERMs are equal as sets of their `+`-joined parts (the language allows any order). */
function samePerm(want: readonly string[], got: string): boolean {
  const g = got.split('+');
  return want.length === g.length && want.every((f) => g.includes(f));
}

/** `0, 1, 2` — or `7 x512` for a run of one value, so that 2 MiB ranges stay readable. */
function foldList(items: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < items.length;) {
    let j = i + 1;
    while (j < items.length && items[j] === items[i]) j++;
    out.push(j - i > 2 ? `${items[i]} x${j - i}` : items.slice(i, j).join(', '));
    i = j;
  }
  return out.join(', ');
}

/** `expect D counters faults N, cpages M` for a dmirror. */
export function dmirrorCounters(it: Interpreter, s: A.ExpectCounters): Check {
  const h = handle(it, s.device);
  const have = h.counters();
  const bad = s.counters.filter((c) => have[c.name.value] !== c.value.value);
  if (bad.length === 0) return { ok: true };
  return { ok: false, message: `device ${h.name}: ${bad.map((c) => `${c.name.value} ${have[c.name.value]} (expected ${c.value.value})`).join(', ')}` };
}

/** `expect coherent D`: every entry of the device page table maps what the CPU maps, with no more permission. */
export function dmirrorCoherent(it: Interpreter, s: A.ExpectCoherent): Check {
  const h = handle(it, s.device);
  const mm = h.mirror.mm;
  for (const [vpn, e] of h.mirror.pt) {
    const addr = vpn * PAGE_SIZE;
    const pte = mm.pte(addr);
    const where = it.w.addrName(h.opener.pid, addr);
    const kind = pte.bits & PTE_KIND_MASK;
    const mapped = kind === PTE_PRESENT || kind === PTE_DEVICE;
    if (!mapped || pte.pfn !== e.pfn) return { ok: false, message: `${h.name}: entry for ${where} holds pfn ${e.pfn}, the CPU maps ${mapped ? `pfn ${pte.pfn}` : 'nothing'}` };
    if (e.write && (pte.bits & PTE_WRITE) === 0) return { ok: false, message: `${h.name}: entry for ${where} is WRITE, the CPU's is read-only` };
  }
  return { ok: true };
}

