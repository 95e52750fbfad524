/**
 * Small typed arrays carved out of shared buffers.
 *
 * A typed array of more than a few dozen bytes gets its own off-heap backing store, which
 * costs a microsecond or two to allocate and more to track until it is collected, whatever
 * its size. The kernel allocates many small ones (PTE pages, the frame arrays of a small
 * machine), and an exploration creates a kernel per replay: those come from here instead,
 * as views into a shared 256 KiB buffer, at the cost of a view object. Views are zeroed
 * (fresh buffer memory is never handed out twice); a buffer is freed when its last view
 * is. Arrays larger than an eighth of a buffer get their own.
 *
 * Not a simulated behaviour: the simulator's own memory management (Linux keeps page
 * tables and struct pages in pages of its own).
 */
const CHUNK = 1 << 18;
const OWN = CHUNK >> 3;
let buf = new ArrayBuffer(CHUNK);
let used = 0;

/** A zeroed byte range of `bytes` (rounded up to 8) in the current buffer, starting a new one when full. */
function carve(bytes: number): number {
  const size = (bytes + 7) & ~7;
  if (used + size > CHUNK) { buf = new ArrayBuffer(CHUNK); used = 0; }
  const off = used;
  used += size;
  return off;
}

export function int32Array(n: number): Int32Array {
  if (n * 4 > OWN) return new Int32Array(n);
  const off = carve(n * 4);
  return new Int32Array(buf, off, n);
}

export function uint16Array(n: number): Uint16Array {
  if (n * 2 > OWN) return new Uint16Array(n);
  const off = carve(n * 2);
  return new Uint16Array(buf, off, n);
}

export function float64Array(n: number): Float64Array {
  if (n * 8 > OWN) return new Float64Array(n);
  const off = carve(n * 8);
  return new Float64Array(buf, off, n);
}
