import type { KEvent } from '../kernel/events.js';
import {
  PTE_KIND_MASK, PTE_PRESENT, PTE_SWAP, PTE_MIGRATION, PTE_DEVICE, PTE_WRITE, PTE_DIRTY, PTE_YOUNG,
  PTE_SPECIAL, PTE_PROTNONE, PTE_EXEC, PMD_HUGE, PTE_EXCLUSIVE, type PteValue,
} from '../kernel/pte.js';
import { vmaProtString } from '../kernel/vma.js';
import { assertNever, type Value } from '../kernel/types.js';
import { hex, type World } from './world.js';

/**
 * The trace notation: one kernel event per line, ftrace-like — the event name first
 * (Linux's name where it has one), then the process, the place (region page or hex
 * address), and what happened. Readable without a legend; no host addresses, no time.
 *
 *   fault vm1 heap[0] write: do_anonymous_page
 *   alloc pfn 1 anon
 *   pte vm1 heap[0]: none -> pfn 1 rw dirty young
 *   notify start vm1 heap[0..4] CLEAR
 *
 * `expect trace { … }` lines are written in the same notation.
 */
export function renderEvent(w: World, ev: KEvent): string {
  switch (ev.e) {
    case 'mmap':
      return `mmap ${w.procName(ev.mm)} ${w.rangeName(ev.mm, ev.start, ev.end)} ${hex(ev.start)}-${hex(ev.end)} ${vmaProtString(ev.flags)} ${ev.what}`;
    case 'munmap':
      return `munmap ${w.procName(ev.mm)} ${w.rangeName(ev.mm, ev.start, ev.end)}`;
    case 'mprotect':
      return `mprotect ${w.procName(ev.mm)} ${w.rangeName(ev.mm, ev.start, ev.end)} ${vmaProtString(ev.flags)}`;
    case 'mremap':
      return `mremap ${w.procName(ev.mm)} ${hex(ev.from)} -> ${hex(ev.to)} ${ev.len / 4096} pages`;
    case 'vma':
      // split: [start, end) is the lower part; the new VMA begins at `end`.
      return ev.op === 'split'
        ? `vma_split ${w.procName(ev.mm)} at ${w.addrName(ev.mm, ev.end)}`
        : `vma_merge ${w.procName(ev.mm)} ${hex(ev.start)}-${hex(ev.end)}`;
    case 'madvise':
      return `madvise ${w.procName(ev.mm)} ${w.rangeName(ev.mm, ev.start, ev.end)} ${ev.advice}`;
    case 'fault':
      return `fault ${w.procName(ev.mm)} ${w.addrName(ev.mm, ev.addr)} ${ev.access}: ${ev.how}`;
    case 'pte':
      return `${ev.huge ? 'pmd' : 'pte'} ${w.procName(ev.mm)} ${w.addrName(ev.mm, ev.addr)}: ${pteText(ev.old)} -> ${pteText(ev.new)}`;
    case 'alloc':
      return `alloc pfn ${ev.pfn} ${ev.what}`;
    case 'free':
      return `free pfn ${ev.pfn}`;
    case 'copy':
      return `copy pfn ${ev.from} -> pfn ${ev.to} (${ev.why})`;
    case 'notify':
      return `notify ${ev.phase} ${w.procName(ev.mm)} ${w.rangeName(ev.mm, ev.start, ev.end)} ${ev.event}${ev.blockable ? '' : ' nonblock'}`;
    case 'release':
      return `notify release ${w.procName(ev.mm)}`;
    case 'swapout':
      return `swap_out pfn ${ev.pfn} -> slot ${ev.slot}`;
    case 'swapin':
      return `swap_in slot ${ev.slot} -> pfn ${ev.pfn}`;
    case 'writeback':
      return `writeback pfn ${ev.pfn} ${ev.file}:${ev.index}`;
    case 'signal':
      return `signal ${w.procName(ev.mm)} ${w.addrName(ev.mm, ev.addr)} ${ev.sig}: ${ev.reason}`;
    case 'errno':
      return `${ev.call} ${w.procName(ev.mm)} = ${ev.errno}: ${ev.reason}`;
    case 'access':
      return `${ev.op} ${w.procName(ev.mm)} ${w.addrName(ev.mm, ev.addr)} = ${valueText(ev.value)}`;
    case 'fork':
      return `fork ${w.procName(ev.parent)} -> ${w.procName(ev.child)} (pid ${ev.child})`;
    case 'exit':
      return `exit ${w.procName(ev.mm)}`;
    case 'oom':
      return `oom ${w.procName(ev.mm)}`;
    case 'reclaim':
      return `reclaim pfn ${ev.pfn}: ${ev.result}`;
    case 'migrate':
      return `migrate pfn ${ev.from} -> ${ev.to ? `pfn ${ev.to}` : '-'}: ${ev.result}`;
    case 'thp':
      return `thp ${w.procName(ev.mm)} ${w.addrName(ev.mm, ev.addr)}: ${ev.what}`;
    case 'ksm':
      return `ksm pfn ${ev.pfn}: ${ev.what}`;
    case 'driver':
      return [`${ev.dev}: ${ev.what}`, ev.at ? w.rangeName(ev.at.mm, ev.at.start, ev.at.end) : '', ev.detail ?? ''].filter(Boolean).join(' ');
    case 'violation':
      return `VIOLATION ${ev.kind}: ${placesNamed(w, ev.detail)}`;
    case 'sched':
      return `[${ev.thread}${ev.what}]`;
    default:
      return assertNever(ev, 'renderEvent');
  }
}

/**
 * The kernel's checker and the drivers know mm ids and addresses, not the spec's names:
 * `mm 2 0x7f0000000000` in a violation's detail is shown as `intro view[0]`.
 */
export function placesNamed(w: World, detail: string): string {
  return detail.replace(/\bmm (\d+) (0x[0-9a-f]+)/g, (_, id: string, a: string) =>
    `${w.procName(Number(id))} ${w.addrName(Number(id), parseInt(a, 16))}`);
}

/** `pfn 3 rw dirty young`, `zero r special`, `swap 2`, `migration pfn 3`, `none`. */
export function pteText(p: PteValue): string {
  const b = p.bits;
  switch (b & PTE_KIND_MASK) {
    case 0: return 'none';
    case PTE_SWAP: return `swap ${p.pfn}${b & PTE_EXCLUSIVE ? ' exclusive' : ''}`;
    case PTE_MIGRATION: return `migration pfn ${p.pfn}${b & PTE_WRITE ? ' rw' : ' r'}`;
    case PTE_DEVICE: return `device pfn ${p.pfn}${b & PTE_WRITE ? ' rw' : ' r'}`;
    case PTE_PRESENT: {
      const parts = [p.pfn === 0 ? 'zero' : `pfn ${p.pfn}`];
      if (b & PTE_PROTNONE) parts.push('protnone');
      parts.push(b & PTE_WRITE ? 'rw' : 'r');
      if (b & PTE_EXEC) parts.push('x');
      if (b & PTE_SPECIAL) parts.push('special');
      if (b & PMD_HUGE) parts.push('huge');
      if (b & PTE_DIRTY) parts.push('dirty');
      if (b & PTE_YOUNG) parts.push('young');
      return parts.join(' ');
    }
    default: return `kind ${b & PTE_KIND_MASK}`;
  }
}

export function valueText(v: Value): string {
  return typeof v === 'number' ? String(v) : JSON.stringify(v);
}

/**
 * Whitespace-normalised form used to match `expect trace` lines against events. A line
 * pasted from a golden keeps its YAML quotes (`"fault vm1 heap[0] write: …"`): one layer of
 * quotes around the whole line is taken off.
 */
export const normalizeLine = (s: string): string => {
  let t = s.trim();
  if (t.length >= 2 && ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'")))) {
    t = t.startsWith('"') ? unquoteDouble(t) : t.slice(1, -1).replace(/''/g, "'");
  }
  return t.replace(/\s+/g, ' ');
};

function unquoteDouble(t: string): string {
  try { return JSON.parse(t) as string; } catch { return t.slice(1, -1); }
}

/**
 * Matches `expect trace` lines against event lines, in order; `...` matches any run
 * (including none). Without a leading `...`, the first line must match the first event;
 * without a trailing `...`, the last line must match the last event. A line matches one
 * event, or — written folded, as goldens show it (`write p a[0..512] = 7`) — the run of
 * consecutive events that folds to it.
 * Returns undefined on a match, else the index of the first pattern line that failed.
 */
export function matchTrace(patterns: readonly { text: string; wildcard: boolean }[], events: readonly string[]): number | undefined {
  // An empty block expects no events at all.
  if (patterns.length === 0) return events.length === 0 ? undefined : -1;
  const ev = events.map(normalizeLine);
  const n = ev.length;
  const pats = patterns.map((p) => (p.wildcard ? null : normalizeLine(p.text)));
  // Each event's text as a small number, and the positions of each, ascending.
  const ids = new Map<string, number>();
  const idOf = new Int32Array(n);
  const at: number[][] = [];
  ev.forEach((e, j) => {
    let id = ids.get(e);
    if (id === undefined) { ids.set(e, (id = ids.size)); at.push([]); }
    idOf[j] = id;
    at[id]!.push(j);
  });
  const runs = countingRuns(ev);
  const masks = new Map<number, Uint32Array>();
  const maskOf = (id: number): Uint32Array => {
    let m = masks.get(id);
    if (!m) {
      m = new Uint32Array(words(n + 1));
      for (const j of at[id]!) m[j >>> 5]! |= 1 << (j & 31);
      masks.set(id, m);
    }
    return m;
  };
  // One pass over the lines, keeping the set S of event positions the next line can
  // start at (positions 0..n, a bit set): `...` turns S into every position from its
  // least on; a line maps each j of S to the end of what it matches there. No recursion,
  // no backtracking: lines × positions / 32 at worst.
  let cur = new Uint32Array(words(n + 1));
  let next = new Uint32Array(cur.length);
  cur[0] = 1;
  for (let i = 0; i < pats.length; i++) {
    const pat = pats[i]!;
    if (pat === null) {
      fillFrom(cur, leastBit(cur), n);
      continue;
    }
    next.fill(0);
    const id = ids.get(pat);
    if (id !== undefined) {
      const same = at[id]!;
      if (same.length < cur.length) {
        for (const j of same) if (has(cur, j)) set(next, j + 1);
      } else {
        // (S ∧ M) shifted up by one position.
        const m = maskOf(id);
        let carry = 0;
        for (let w = 0; w < cur.length; w++) {
          const x = (cur[w]! & m[w]!) >>> 0;
          next[w] = ((x << 1) | carry) >>> 0;
          carry = x >>> 31;
        }
      }
    }
    const k = runLengthOf(pat);
    if (k > 0) for (let j = leastBit(cur); j >= 0 && j < n; j = nextBit(cur, j + 1)) if (runs.matches(j, k, pat)) set(next, j + k);
    if (leastBit(next) < 0) return i;
    [cur, next] = [next, cur];
  }
  return has(cur, n) ? undefined : pats.length - 1;
}

const words = (bits: number): number => (bits + 31) >>> 5;
const has = (b: Uint32Array, j: number): boolean => (b[j >>> 5]! & (1 << (j & 31))) !== 0;
const set = (b: Uint32Array, j: number): void => { b[j >>> 5]! |= 1 << (j & 31); };

/** The least member of `b` at or after `from`, or -1. */
function nextBit(b: Uint32Array, from: number): number {
  for (let w = from >>> 5; w < b.length; w++) {
    let x = b[w]!;
    if (w === from >>> 5) x &= ~0 << (from & 31);
    if (x !== 0) return (w << 5) + (31 - Math.clz32(x & -x));
  }
  return -1;
}
const leastBit = (b: Uint32Array): number => nextBit(b, 0);

/** Every position from `from` to `last` joins `b` (nothing when from < 0). */
function fillFrom(b: Uint32Array, from: number, last: number): void {
  if (from < 0) return;
  for (let j = from; j <= last && (j & 31) !== 0; j++) set(b, j);
  for (let w = (from + 31) >>> 5; w < b.length; w++) b[w] = ~0 >>> 0;
  // Bits past `last` stay clear, so that `has(b, n)` means what it says.
  const tail = (last + 1) & 31;
  if (tail !== 0) b[b.length - 1]! &= (1 << tail) - 1;
}

/**
 * The runs of events that fold (see foldEvents): `len[j]` is how many events from j on
 * count up one by one from ev[j]; `matches(j, k, pat)` whether ev[j..j+k) folds to `pat`.
 */
function countingRuns(ev: readonly string[]): { matches: (j: number, k: number, pat: string) => boolean } {
  const shapes = ev.map(shapeOf);
  const len = new Array<number>(ev.length + 1).fill(0);
  for (let j = ev.length - 1; j >= 0; j--) {
    const a = shapes[j]!, b = shapes[j + 1];
    const follows = b !== undefined && a.nums.length > 0 && b.tpl === a.tpl && b.nums.every((v, x) => v === a.nums[x]! + 1);
    len[j] = follows ? len[j + 1]! + 1 : 1;
  }
  return { matches: (j, k, pat) => j < ev.length && len[j]! >= k && fill(shapes[j]!, k) === pat };
}

/** The run length a folded line stands for (`a[0..512]` → 512), or 0 for a single event. */
function runLengthOf(pat: string): number {
  // A scan, not /(\d+)\.\.(\d+)/: on a line of a million digits and no `..` that regex
  // backtracks from every position (quadratic: a mutated spec took half a minute).
  const digit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
  for (let i = pat.indexOf('..'); i >= 0; i = pat.indexOf('..', i + 1)) {
    let a = i;
    while (digit(pat[a - 1])) a--;
    let b = i + 2;
    while (digit(pat[b])) b++;
    if (a === i || b === i + 2) continue;
    const k = Number(pat.slice(i + 2, b)) - Number(pat.slice(a, i));
    return k >= 2 ? k : 0;
  }
  return 0;
}

/**
 * Folds runs of consecutive events that differ only by counting up: `write p a[0] = 7`,
 * `write p a[1] = 7`, … becomes `write p a[0..512] = 7`; `pte p a[0]: pfn 512 rw -> none`,
 * … becomes `pte p a[0..512]: pfn 512..1024 rw -> none`. Every page index (`[i]`), pfn and
 * swap slot of the line must go up by one from one event to the next; ranges are half-open,
 * as in the language. A THP split or a write to a huge page is then one line, not 512.
 */
export function foldEvents(lines: readonly string[]): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const first = shapeOf(lines[i]!);
    let j = i + 1;
    // VMA bookkeeping names places, not pages: "split at heap[1..3]" would mislead.
    if (first.nums.length > 0 && !lines[i]!.startsWith('vma_')) {
      while (j < lines.length) {
        const next = shapeOf(lines[j]!);
        if (next.tpl !== first.tpl || next.nums.some((n, x) => n !== first.nums[x]! + (j - i))) break;
        j++;
      }
    }
    out.push(j - i >= 2 ? fill(first, j - i) : lines[i]!);
    i = j;
  }
  return out;
}

const COUNTING = /\[(\d+)\]|\bpfn (\d+)(?!\.\.)|\bslot (\d+)(?!\.\.)/g;

function shapeOf(line: string): { tpl: string; nums: number[]; parts: string[] } {
  const nums: number[] = [];
  const parts: string[] = [];
  let last = 0;
  for (const m of line.matchAll(COUNTING)) {
    parts.push(line.slice(last, m.index));
    const n = Number(m[1] ?? m[2] ?? m[3]);
    nums.push(n);
    parts.push(m[1] !== undefined ? '[#]' : m[2] !== undefined ? 'pfn #' : 'slot #');
    last = m.index + m[0].length;
  }
  parts.push(line.slice(last));
  return { tpl: parts.join(''), nums, parts };
}

function fill(shape: { nums: number[]; parts: string[] }, count: number): string {
  let k = 0;
  return shape.parts.map((p) => {
    if (p === '[#]' || p === 'pfn #' || p === 'slot #') {
      const a = shape.nums[k++]!;
      return p.replace('#', `${a}..${a + count}`).replace('[', '[');
    }
    return p;
  }).join('');
}
