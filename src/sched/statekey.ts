import { Kernel } from '../kernel/kernel.js';
import { Mm } from '../kernel/mm.js';
import { Vma } from '../kernel/vma.js';
import { PageTable } from '../kernel/pagetable.js';
import { Mutex, RwSem } from '../kernel/locks.js';
import type { MmuNotifierOps } from '../kernel/notifier.js';

/**
 * A canonical text of the simulated machine's state, for `explore` to recognise a state it
 * has seen: page tables (present, swap, migration entries with their bits), VMAs, mmap_lock
 * and page-table-lock holders, notifier sequence numbers, every allocated frame (flags,
 * counts, pins, content), the LRU order, swap slots and swap cache, page caches, and the
 * violations broken now (they decide what the next step reports). `extra` adds what the
 * kernel cannot see (the drivers' state). Equal texts mean equal futures for equal threads.
 */
export function kernelStateText(k: Kernel, extra: string): string {
  const out: string[] = [];
  for (const id of [...k.mms.keys()].sort((a, b) => a - b)) mmText(k.mms.get(id)!, out);
  const m = k.mem;
  const fr: string[] = [];
  for (let pfn = 1, seen = 0; pfn < m.span && seen < m.used; pfn++) {
    if (!m.isAllocated(pfn)) continue;
    seen++;
    fr.push(`${pfn}:${m.flags[pfn]},${m.refcount[pfn]},${m.mapcount[pfn]},${m.owner[pfn]},${m.index[pfn]},${m.pinCount(pfn)},${String(m.value[pfn])}`);
  }
  out.push('F' + fr.join(';'));
  for (const list of [0, 1]) {
    const l: number[] = [];
    for (let p = k.lru.head[list]!; p !== 0 && l.length <= m.span; p = m.lruNext[p]!) l.push(p);
    out.push(`L${list}:${l.join(',')}`);
  }
  const sw: string[] = [];
  for (let s = 0, seen = 0; s < k.swap.slots && seen < k.swap.used; s++) {
    const c = k.swap.count[s] ?? 0;
    if (c !== 0) { seen++; sw.push(`${s}:${c},${String(k.swap.content[s])}`); }
  }
  out.push('S' + sw.join(';') + '|' + [...k.swap.cache].sort((a, b) => a[0] - b[0]).join(';'));
  for (const f of k.files) {
    if (!f) continue;
    out.push(`f${f.id}:${[...f.cache].sort((a, b) => a[0] - b[0]).join(';')}|${[...f.swapped].sort((a, b) => a[0] - b[0]).join(';')}`);
  }
  out.push('V' + k.check.broken.map((v) => v.key).sort().join(','));
  out.push('X' + extra);
  return out.join('\n');
}

function mmText(mm: Mm, out: string[]): void {
  const n = mm.notifiers;
  const lock = mm.mmapLock;
  out.push(`mm${mm.id}${mm.dead ? ' dead' : ''}${mm.oomKilled ? ' killed' : ''} u${mm.users} w${lock.writer} r${[...lock.readers].sort((a, b) => a - b).join(',')} ` +
    `ptl${mm.ptl.owner} seq${n.invalidateSeq}/${n.activeInvalidateRanges} i${n.intervals.map((s) => s.invalidateSeq).join(',')} ` +
    `s${subsText(n.subs)}`);
  for (const v of mm.vmas) {
    out.push(`v${v.start.toString(36)}-${v.end.toString(36)} ${v.flags} ${v.pgoff} ${v.file?.id ?? 0} ${v.anonVmas.map((a) => a.id).join(',')}`);
    mm.walkPtes(v.start, v.end,
      (a, huge) => { out.push(`H${a.toString(36)}:${huge.pfn},${huge.bits}`); },
      (a, p) => { out.push(`${a.toString(36)}:${p.pfn},${p.bits}`); });
  }
}

/**
 * Feeds values into a 53-bit hash (cyrb53's mixing, a word at a time) without building a
 * string. Numbers go in as two words (addresses exceed 32 bits), strings with their length,
 * lists with their length: equal feeds ⇔ equal inputs, up to hash collisions.
 */
export class StateHasher {
  private h1 = 0xdeadbeef;
  private h2 = 0x41c6ce57;
  private word(c: number): void {
    this.h1 = Math.imul(this.h1 ^ c, 2654435761);
    this.h2 = Math.imul(this.h2 ^ c, 1597334677);
  }
  num(n: number): void {
    if (Number.isSafeInteger(n)) { this.word(n >>> 0); this.word(Math.floor(n / 4294967296) | 0); return; }
    this.word(0x7fedcba9); this.str(String(n));
  }
  str(s: string): void {
    this.word(s.length);
    for (let i = 0; i < s.length; i++) this.word(s.charCodeAt(i));
  }
  done(): number {
    let h1 = this.h1, h2 = this.h2;
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return 4294967296 * (2097151 & h2) + (h1 >>> 0);
  }
}

const byFirst = (a: readonly [number, number], b: readonly [number, number]): number => a[0] - b[0];
const ascending = (a: number, b: number): number => a - b;

/**
 * The hash of exactly what kernelStateText writes (the same fields, in the same order, each
 * framed), fed straight to a StateHasher: two states get equal hashes when, and only when
 * (up to collisions), they get equal texts. `extra` as there.
 */
export function kernelStateHash(k: Kernel, extra: string): number {
  const h = new StateHasher();
  const ids = [...k.mms.keys()].sort(ascending);
  h.num(ids.length);
  for (const id of ids) mmHash(k.mms.get(id)!, h);
  const m = k.mem;
  for (let pfn = 1, seen = 0; pfn < m.span && seen < m.used; pfn++) {
    if (!m.isAllocated(pfn)) continue;
    seen++;
    h.num(pfn); h.num(m.flags[pfn]!); h.num(m.refcount[pfn]!); h.num(m.mapcount[pfn]!); h.num(m.owner[pfn]!);
    h.num(m.index[pfn]!); h.num(m.pinCount(pfn)); h.str(String(m.value[pfn]));
  }
  h.num(-1);
  for (const list of [0, 1]) {
    let n = 0;
    for (let p = k.lru.head[list]!; p !== 0 && n <= m.span; p = m.lruNext[p]!) { h.num(p); n++; }
    h.num(-1);
  }
  for (let s = 0, seen = 0; s < k.swap.slots && seen < k.swap.used; s++) {
    const c = k.swap.count[s] ?? 0;
    if (c !== 0) { seen++; h.num(s); h.num(c); h.str(String(k.swap.content[s])); }
  }
  h.num(-1);
  pairsHash([...k.swap.cache], h);
  for (const f of k.files) {
    if (!f) continue;
    h.num(f.id);
    pairsHash([...f.cache], h);
    pairsHash([...f.swapped], h);
  }
  h.num(-1);
  const broken = k.check.broken.map((v) => v.key).sort();
  h.num(broken.length);
  for (const b of broken) h.str(b);
  h.str(extra);
  return h.done();
}

function pairsHash(pairs: [number, number][], h: StateHasher): void {
  pairs.sort(byFirst);
  h.num(pairs.length);
  for (const [a, b] of pairs) { h.num(a); h.num(b); }
}

function mmHash(mm: Mm, h: StateHasher): void {
  const n = mm.notifiers;
  const lock = mm.mmapLock;
  h.num(mm.id); h.num((mm.dead ? 1 : 0) | (mm.oomKilled ? 2 : 0)); h.num(mm.users); h.num(lock.writer);
  const readers = [...lock.readers].sort(ascending);
  h.num(readers.length);
  for (const r of readers) h.num(r);
  h.num(mm.ptl.owner); h.num(n.invalidateSeq); h.num(n.activeInvalidateRanges);
  h.num(n.intervals.length);
  for (const sub of n.intervals) h.num(sub.invalidateSeq);
  h.str(n.subs.length === 0 ? '' : subsText(n.subs));
  h.num(mm.vmas.length);
  for (const v of mm.vmas) {
    h.num(v.start); h.num(v.end); h.num(v.flags); h.num(v.pgoff); h.num(v.file?.id ?? 0);
    h.num(v.anonVmas.length);
    for (const a of v.anonVmas) h.num(a.id);
    // The populated entries only, in address order (a VMA of millions of pages is hashed
    // at the cost of what it maps).
    mm.walkPtes(v.start, v.end,
      (a, pmd) => { h.num(1); h.num(a); h.num(pmd.pfn); h.num(pmd.bits); },
      (a, p) => { h.num(2); h.num(a); h.num(p.pfn); h.num(p.bits); });
    h.num(0);
  }
}

/**
 * Feeds plain data (an event: numbers, strings, booleans, nested plain objects and arrays)
 * into `h`, each value tagged with its type and each object with its keys in order, as
 * JSON would write it (undefined properties left out), without building the text.
 */
export function plainHash(v: unknown, h: StateHasher): void {
  switch (typeof v) {
    case 'number': h.num(1); h.num(v); return;
    case 'string': h.num(2); h.str(v); return;
    case 'boolean': h.num(v ? 3 : 4); return;
    case 'undefined': h.num(5); return;
    case 'object':
      if (v === null) { h.num(6); return; }
      if (Array.isArray(v)) { h.num(7); h.num(v.length); for (const x of v) plainHash(x, h); return; }
      h.num(8);
      for (const key in v) {
        const x = (v as Record<string, unknown>)[key];
        if (x === undefined) continue;
        h.str(key);
        plainHash(x, h);
      }
      h.num(9);
      return;
    default: h.num(10); h.str(String(v));
  }
}

/** Classic notifier subscribers' state: their own stateText(), or their plain data. */
function subsText(subs: readonly MmuNotifierOps[]): string {
  let out = '';
  for (const s of subs) out += s.stateText ? `${s.name}:${s.stateText()};` : `${objectText(s)};`;
  return out;
}

/** A 53-bit hash of a string (cyrb53): the state text is kept only as its hash. */
export function hashText(s: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed, h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * The plain data reachable from `root` (numbers, strings, booleans, lock holders, in
 * Maps, Sets, arrays and objects), for state the kernel's own text does not cover: a
 * driver's lock and flags, a classic notifier's bookkeeping (v5.2 hmm's `valid`).
 * Kernel structures (Kernel, Mm, Vma, page tables) are left out: kernelStateText covers
 * them; functions are left out; each object is written once (cycles).
 */
export function objectText(root: unknown): string {
  const seen = new Set<object>();
  const out: string[] = [];
  const walk = (v: unknown, depth: number): void => {
    switch (typeof v) {
      case 'number': case 'boolean': case 'bigint': out.push(String(v)); return;
      case 'string': out.push(JSON.stringify(v)); return;
      case 'undefined': out.push('u'); return;
      case 'function': case 'symbol': return;
    }
    if (v === null) { out.push('n'); return; }
    const o = v as object;
    if (o instanceof Mutex) { out.push(`M${o.owner}`); return; }
    if (o instanceof RwSem) { out.push(`W${o.writer}R${[...o.readers].sort((a, b) => a - b).join(',')}`); return; }
    if (o instanceof Kernel || o instanceof Mm || o instanceof Vma || o instanceof PageTable) return;
    if (seen.has(o) || depth > 6) { out.push('^'); return; }
    seen.add(o);
    out.push('{');
    if (o instanceof Map) for (const [a, b] of o) { walk(a, depth + 1); out.push(':'); walk(b, depth + 1); out.push(','); }
    else if (o instanceof Set || Array.isArray(o)) for (const a of o as Iterable<unknown>) { walk(a, depth + 1); out.push(','); }
    else if (ArrayBuffer.isView(o)) out.push(String(o));
    else for (const key of Object.keys(o)) { out.push(key, '='); walk((o as Record<string, unknown>)[key], depth + 1); out.push(','); }
    out.push('}');
  };
  walk(root, 0);
  return out.join('');
}
