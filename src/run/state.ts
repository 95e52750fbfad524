import type { Kernel } from '../kernel/kernel.js';
import {
  PG_ALLOCATED, PG_ANON, PG_ACTIVE, PG_LRU, PG_DIRTY, PG_SWAPCACHE, PG_KSM, PG_HEAD, PG_TAIL,
  PG_RESERVED, PG_DEVICE_PRIVATE, PG_LAZYFREE,
} from '../kernel/frames.js';
import { vmaProtString, VM_PFNMAP, VM_MIXEDMAP, VM_IO, VM_DONTCOPY, VM_HUGEPAGE, VM_MERGEABLE } from '../kernel/vma.js';
import { pteText, valueText, foldEvents } from './trace.js';
import { hex, type World } from './world.js';
import { PAGE_SIZE, HPAGE_PMD_SIZE } from '../kernel/types.js';
import { PMD_HUGE } from '../kernel/pte.js';

/**
 * The final state of a run, for the golden trace: each live process's VMAs and
 * non-empty PTEs (runs of consecutive pages folded into one line), the allocated frames,
 * the used swap slots, and the devices. Deterministic: everything in address/pfn order.
 */
export function finalState(w: World): Record<string, unknown> {
  const k = w.k;
  const out: Record<string, unknown> = {};
  const procs: Record<string, unknown> = {};
  for (const p of w.procs.values()) {
    if (p.exited) { procs[p.name] = 'exited'; continue; }
    const vmas = p.mm.vmas.map((v) => {
      const kind = v.ops ? `device ${v.ops.name}` : v.file ? (v.file.shmem ? 'shmem' : `file ${v.file.name}@${v.pgoff}`) : 'anon';
      const extra = [
        v.has(VM_PFNMAP) ? 'pfnmap' : '', v.has(VM_MIXEDMAP) ? 'mixedmap' : '', v.has(VM_IO) ? 'io' : '',
        v.has(VM_DONTCOPY) ? 'dontcopy' : '', v.has(VM_HUGEPAGE) ? 'hugepage' : '', v.has(VM_MERGEABLE) ? 'mergeable' : '',
      ].filter(Boolean).join(' ');
      return `${hex(v.start)}-${hex(v.end)} ${vmaProtString(v.flags)} ${kind}${extra ? ' ' + extra : ''} (${w.rangeName(p.pid, v.start, v.end)})`;
    });
    procs[p.name] = { pid: p.pid, vmas, ptes: pteLines(w, p.pid) };
  }
  out.processes = procs;
  // Runs of frames (and slots) alike but for their number fold into one line, as events do.
  out.frames = foldEvents(frameLines(k));
  out.swap = foldEvents(swapLines(k));
  if (w.devices.size > 0) {
    const devs: Record<string, unknown> = {};
    for (const d of w.devices.values()) devs[d.name] = d.describe();
    out.devices = devs;
  }
  return out;
}

function pteLines(w: World, pid: number): string[] {
  const mm = w.byPid.get(pid)!.mm;
  const lines: string[] = [];
  let run: { first: number; last: number; firstPfn: number; lastPfn: number; attrs: string; zero: boolean } | undefined;
  const flush = () => {
    if (!run) return;
    const where = run.first === run.last ? w.addrName(pid, run.first) : rangeOfPages(w, pid, run.first, run.last);
    // Half-open, as page ranges are: pfn 1..5 is pfns 1, 2, 3, 4.
    const pfns = run.zero || run.firstPfn === run.lastPfn ? '' : `..${run.lastPfn + 1}`;
    lines.push(`${where}: ${run.attrs.replace(/^pfn (\d+)/, `pfn $1${pfns}`)}`);
    run = undefined;
  };
  for (const vma of mm.vmas) {
    for (let addr = vma.start; addr < vma.end; ) {
      const huge = mm.hugePmd(addr);
      const step = huge.bits !== 0 ? HPAGE_PMD_SIZE - (addr % HPAGE_PMD_SIZE) : PAGE_SIZE;
      if (huge.bits === 0 && !mm.pt.ptePage(addr, false)) {
        flush();
        addr = addr - (addr % HPAGE_PMD_SIZE) + HPAGE_PMD_SIZE;
        continue;
      }
      const pte = mm.pte(addr);
      if (pte.bits === 0) { flush(); addr += step; continue; }
      const attrs = pteText({ pfn: pte.pfn, bits: pte.bits });
      const norm = attrs.replace(/^pfn \d+/, 'pfn');
      const zero = pte.pfn === 0;
      const contiguous = run && run.last + PAGE_SIZE === addr && run.attrs.replace(/^pfn \d+/, 'pfn') === norm &&
        (zero ? run.zero : run.lastPfn + 1 === pte.pfn) && (pte.bits & PMD_HUGE) === 0;
      if (contiguous) {
        run!.last = addr;
        run!.lastPfn = pte.pfn;
      } else {
        flush();
        run = { first: addr, last: addr, firstPfn: pte.pfn, lastPfn: pte.pfn, attrs, zero };
      }
      if ((pte.bits & PMD_HUGE) !== 0) { flush(); }
      addr += step;
    }
  }
  flush();
  return lines;
}

function rangeOfPages(w: World, pid: number, first: number, last: number): string {
  const a = w.addrName(pid, first), b = w.addrName(pid, last);
  const m1 = /^(.*)\[(\d+)\]$/.exec(a), m2 = /^(.*)\[(\d+)\]$/.exec(b);
  if (m1 && m2 && m1[1] === m2[1]) return `${m1[1]}[${m1[2]}..${Number(m2[2]) + 1}]`;
  return `${a}..${b}`;
}

/** `pfn 3: anon lru refcount 1 mapcount 1 = "x"`. */
export function frameText(k: Kernel, pfn: number): string {
  const m = k.mem, f = m.flags[pfn]!;
  const kind = f & PG_DEVICE_PRIVATE ? 'device' : f & PG_ANON ? 'anon' : m.owner[pfn]! < 0 ? fileOf(k, pfn) : 'page';
  const flags = [
    f & PG_HEAD ? 'thp' : '', f & PG_KSM ? 'ksm' : '', f & PG_LRU ? (f & PG_ACTIVE ? 'active' : 'inactive') : '',
    f & PG_DIRTY ? 'dirty' : '', f & PG_SWAPCACHE ? `swapcache ${m.swapOf.get(pfn)}` : '', f & PG_LAZYFREE ? 'lazyfree' : '',
  ].filter(Boolean);
  const pins = m.pinCount(pfn);
  return `${kind}${flags.length ? ' ' + flags.join(' ') : ''} refcount ${m.refcount[pfn]} mapcount ${m.mapcount[pfn]}` +
    `${pins ? ` pins ${pins}` : ''} = ${valueText(m.value[pfn] ?? 0)}`;
}

function fileOf(k: Kernel, pfn: number): string {
  const f = k.files[-k.mem.owner[pfn]!];
  if (!f) return 'file?';
  return f.shmem ? `shmem:${k.mem.index[pfn]}` : `${f.name}:${k.mem.index[pfn]}`;
}

function frameLines(k: Kernel): string[] {
  const lines: string[] = [];
  const m = k.mem;
  for (let pfn = 1; pfn < m.span; pfn++) {
    const f = m.flags[pfn]!;
    if ((f & PG_ALLOCATED) === 0 || (f & PG_RESERVED) !== 0 || (f & PG_TAIL) !== 0) continue;
    lines.push(`pfn ${pfn}: ${frameText(k, pfn)}`);
  }
  return lines;
}

function swapLines(k: Kernel): string[] {
  const lines: string[] = [];
  // Only the slots the swap map has grown to can be in use (`swap 9007199254740991 slots`
  // is a valid spec: the map grows on use, and a loop over every slot ran for hours).
  const inUse = Math.min(k.swap.slots, k.swap.count.length);
  for (let s = 0; s < inUse; s++) {
    const c = k.swap.count[s] ?? 0;
    if (c === 0) continue;
    lines.push(`slot ${s}: count ${c} = ${valueText(k.swap.content[s] ?? 0)}`);
  }
  return lines;
}
