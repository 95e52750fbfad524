import { asSlot, type SwapSlot, type Value, bug } from './types.js';
import { int32Array } from './slab.js';
import { IndexMap } from './indexmap.js';

/**
 * The swap device: slots with a use count (swap_map) and their contents. A slot is used
 * while a swap PTE, a shmem mapping or the swap cache references it.
 * Linux: struct swap_info_struct, swap_map[], get_swap_page(), swap_free()
 */
export class SwapDevice {
  /**
   * swap_map: references to each slot (swap PTEs, shmem entries, the swap cache). Grows
   * with the highest slot used; a slot past its end is free (count 0).
   */
  count: Int32Array;
  readonly content: (Value | undefined)[];
  /** Swap cache: slot → pfn of the page caching it (the swap address space). */
  readonly cache: IndexMap;
  private hint = 0;
  used = 0;

  constructor(readonly slots: number) {
    this.count = int32Array(Math.min(slots, 64));
    this.cache = new IndexMap(true, slots);
    this.content = new Array<Value | undefined>(0);
  }

  /** Allocates the lowest free slot, or undefined when swap is full. Linux: folio_alloc_swap() */
  alloc(): SwapSlot | undefined {
    let s = this.hint;
    while (s < this.slots && (this.count[s] ?? 0) !== 0) s++;
    if (s >= this.slots) {
      for (s = 0; s < this.hint && (this.count[s] ?? 0) !== 0; s++);
      if (s >= this.hint) return undefined;
    }
    if (s >= this.count.length) {
      const grown = int32Array(Math.min(this.slots, Math.max(s + 1, this.count.length * 2)));
      grown.set(this.count);
      this.count = grown;
    }
    this.count[s] = 1;
    this.used++;
    this.hint = s + 1;
    return asSlot(s);
  }

  /** Adds a reference to a used slot (swap_duplicate, e.g. fork copying a swap PTE). */
  dup(slot: SwapSlot): void {
    if (this.count[slot] === 0) bug(`SwapDevice.dup: slot ${slot} is free`);
    this.count[slot]!++;
  }

  /** Drops a reference; the slot is free at zero. Linux: swap_free() */
  put(slot: SwapSlot): void {
    if (this.count[slot]! <= 0) bug(`SwapDevice.put: slot ${slot} is free`);
    if (--this.count[slot]! === 0) {
      this.used--;
      // Assigned, not deleted: `delete` would turn the array holey (slow elements). Readers
      // see undefined either way.
      this.content[slot] = undefined;
      if (slot < this.hint) this.hint = slot;
    }
  }
}
