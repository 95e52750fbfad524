import type * as A from '../lang/ast.js';
import { mirrorOptions } from '../lang/options.js';
import { SimulatorBug, PAGE_SIZE } from '../kernel/types.js';
import { mirrorOpen, type MirrorDevice } from '../drivers/mirror.js';
import type { Interpreter } from './exec.js';
import { PROT_OF, SpecFailure } from './exec.js';
import type { Check } from './expect.js';
import type { DeviceHandle, Proc } from './world.js';
import { isDmirrorStmt, execDmirrorStmt, dmirrorCounters, dmirrorCoherent } from './dmirror.js';
import { placesNamed } from './trace.js';

/**
 * Device statements: the mirror of spec-language.md §7 (here) and dmirror of §7b
 * (src/run/dmirror.ts, dispatched from here).
 */
export type DeviceStmt = A.MmapDev | A.OpenMirror | A.OpenDmirror | A.Close | A.DmirrorStmt;

const DEVICE_TYPES = new Set(['mmapDev', 'openMirror', 'openDmirror', 'close', 'dmirrorRead', 'dmirrorWrite', 'dmirrorSnapshot', 'dmirrorMigrate']);
export function isDeviceStmt(s: A.Statement): s is DeviceStmt {
  return DEVICE_TYPES.has(s.type);
}

/** The interpreter's handle on an open mirror device. */
export class MirrorHandle implements DeviceHandle {
  readonly kind = 'mirror';
  constructor(readonly name: string, readonly opener: Proc, readonly target: Proc, readonly dev: MirrorDevice) {}

  counters(): Record<string, number> {
    return { ...this.dev.counters };
  }

  describe(): string[] {
    const d = this.dev, o = d.opts;
    const opts = [`api=${o.api}`, `check=${o.check}`, `lock=${o.lock}`, `vma=${o.vma}`, `fault=${o.fault}`,
      `fork=${o.fork}`, `mkwrite=${o.mkwrite}`, `max-retries=${o.maxRetries}`].join(' ');
    const state = d.released ? 'released' : d.dead ? 'dead (target gone)' : d.fdOpen ? 'open' : 'fd closed, mapped';
    const c = d.counters;
    return [
      `mirror of ${this.target.name} (${opts})`,
      `state: ${state}`,
      `counters: faults ${c.faults} retries ${c.retries} invalidations ${c.invalidations} zaps ${c.zaps} sigbus ${c.sigbus}`,
    ];
  }
}

export function execDeviceStmt(it: Interpreter, s: DeviceStmt): void {
  if (isDmirrorStmt(it, s)) return execDmirrorStmt(it, s);
  switch (s.type) {
    case 'openMirror': return openMirror(it, s);
    case 'mmapDev': return mmapDev(it, s);
    case 'close': return closeDev(it, s);
    default:
      throw new SimulatorBug(`execDeviceStmt: ${s.type} of device ${s.device.name} has no handler`);
  }
}

function openMirror(it: Interpreter, s: A.OpenMirror): void {
  const opener = it.w.proc(s.actor.name);
  const target = it.w.proc(s.target.name);
  const dev = mirrorOpen(it.k, s.device.name, target.mm, mirrorOptions(s));
  it.w.devices.set(s.device.name, new MirrorHandle(s.device.name, opener, target, dev));
}

function mirrorOf(it: Interpreter, name: A.Name): MirrorHandle {
  const h = it.w.devices.get(name.name);
  if (!(h instanceof MirrorHandle)) throw new SpecFailure(name.loc, `${name.name} is not an open mirror device`);
  return h;
}

function mmapDev(it: Interpreter, s: A.MmapDev): void {
  const p = it.w.proc(s.actor.name);
  const h = mirrorOf(it, s.device);
  const target = it.w.proc(s.target.process.name);
  const region = target.regions.get(s.target.region.name);
  if (!region) throw new SpecFailure(s.target.loc, `process ${target.name} has no region ${s.target.region.name}`);
  const tAddr = region.start + s.target.index.value * PAGE_SIZE;
  const r = it.runOp(h.dev.mmap(p.pid, p.mm, s.pages.value, tAddr, PROT_OF[s.prot?.value ?? 'r']!, s.at?.value), 'mmap');
  if (typeof r === 'number') it.addRegion(p, s.name.name, r, s.pages.value);
  it.syscall(s, s.expectErrno, 'mmap', r);
}

function closeDev(it: Interpreter, s: A.Close): void {
  mirrorOf(it, s.device).dev.close();
}

/** `expect DEV counters NAME N, …`: every named counter equals its value. */
export function deviceCounters(it: Interpreter, s: A.ExpectCounters): Check {
  const h = it.w.devices.get(s.device.name);
  if (!h) return { ok: false, message: `no device ${s.device.name}` };
  if (h.kind === 'dmirror') return dmirrorCounters(it, s);
  const have = h.counters();
  const bad = s.counters.filter((c) => have[c.name.value] !== c.value.value)
    .map((c) => `${c.name.value} ${have[c.name.value] ?? '?'} (expected ${c.value.value})`);
  if (bad.length === 0) return { ok: true };
  const all = Object.entries(have).map(([k, v]) => `${k} ${v}`).join(', ');
  return { ok: false, message: `${s.device.name} counters: ${bad.join(', ')}; all counters: ${all}` };
}

/** `expect coherent DEV`: no mirror PTE maps another frame than the target's, or more permission. */
export function deviceCoherent(it: Interpreter, s: A.ExpectCoherent): Check {
  if (it.w.devices.get(s.device.name)?.kind === 'dmirror') return dmirrorCoherent(it, s);
  const h = it.w.devices.get(s.device.name);
  if (h?.kind === 'dmirror') return dmirrorCoherent(it, s);
  if (!(h instanceof MirrorHandle)) return { ok: false, message: `${s.device.name} is not a mirror device` };
  const bad = h.dev.incoherence();
  if (bad.length === 0) return { ok: true };
  return { ok: false, message: `${s.device.name} is not coherent: ${bad.map((b) => placesNamed(it.w, b)).join('; ')}` };
}
