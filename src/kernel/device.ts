import type { Kernel } from './kernel.js';
import type { Vma } from './vma.js';
import type { PteValue } from './pte.js';
import type { FaultOutcome } from './fault.js';
import type { Op } from './types.js';

/**
 * Device-private memory (ZONE_DEVICE, MEMORY_DEVICE_PRIVATE): a CPU fault on a
 * device-private entry asks the owning driver to migrate the page back.
 * Linux: do_swap_page() → pgmap->ops->migrate_to_ram()
 */
export interface DevicePrivateOwner {
  readonly name: string;
  migrateToRam(k: Kernel, task: number, vma: Vma, addr: number, pte: PteValue): Op<FaultOutcome>;
}

/** Device pfn → owner, registered by drivers that hand out device-private pages. */
export const devicePrivateOwners = new WeakMap<Kernel, Map<number, DevicePrivateOwner>>();

export function* migrateToRam(k: Kernel, task: number, vma: Vma, addr: number, pte: PteValue): Op<FaultOutcome> {
  const owner = devicePrivateOwners.get(k)?.get(pte.pfn);
  if (!owner) return { kind: 'signal', sig: 'SIGBUS', reason: `device-private entry for pfn ${pte.pfn} has no owner` };
  return yield* owner.migrateToRam(k, task, vma, addr, pte);
}
