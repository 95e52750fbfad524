import type * as A from '../lang/ast.js';
import { SimulatorBug } from '../kernel/types.js';
import type { Interpreter } from './exec.js';
import type { Check } from './expect.js';
import { isDmirrorStmt, execDmirrorStmt, dmirrorCounters, dmirrorCoherent } from './dmirror.js';

/**
 * Device statements (the mirror of spec-language.md §7 and dmirror of §7b). Being
 * written: src/lang's unsupported pass keeps specs that use them from running.
 */
export type DeviceStmt = A.MmapDev | A.OpenMirror | A.OpenDmirror | A.Close | A.DmirrorStmt;

const DEVICE_TYPES = new Set(['mmapDev', 'openMirror', 'openDmirror', 'close', 'dmirrorRead', 'dmirrorWrite', 'dmirrorSnapshot', 'dmirrorMigrate']);
export function isDeviceStmt(s: A.Statement): s is DeviceStmt {
  return DEVICE_TYPES.has(s.type);
}

export function execDeviceStmt(it: Interpreter, s: DeviceStmt): void {
  if (isDmirrorStmt(it, s)) return execDmirrorStmt(it, s);
  throw new SimulatorBug(`execDeviceStmt: ${s.type} is not implemented yet`);
}

export function deviceCounters(it: Interpreter, s: A.ExpectCounters): Check {
  if (it.w.devices.get(s.device.name)?.kind === 'dmirror') return dmirrorCounters(it, s);
  return { ok: false, message: `device ${s.device.name}: counters are not implemented yet` };
}

export function deviceCoherent(it: Interpreter, s: A.ExpectCoherent): Check {
  if (it.w.devices.get(s.device.name)?.kind === 'dmirror') return dmirrorCoherent(it, s);
  return { ok: false, message: `device ${s.device.name}: coherence is not implemented yet` };
}
