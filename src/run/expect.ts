import type * as A from '../lang/ast.js';
import {
  PTE_KIND_MASK, PTE_PRESENT, PTE_SWAP, PTE_MIGRATION, PTE_DEVICE, PTE_WRITE, PTE_DIRTY, PTE_YOUNG,
  PTE_SPECIAL, PTE_PROTNONE, PMD_HUGE,
} from '../kernel/pte.js';
import { PAGE_SIZE } from '../kernel/types.js';
import { pteText, valueText } from './trace.js';
import { pageContent } from '../kernel/memory.js';
import { deviceCounters, deviceCoherent } from './devices.js';
import type { Interpreter } from './exec.js';

export type Check = { readonly ok: true } | { readonly ok: false; readonly message: string };
const OK: Check = Object.freeze({ ok: true });
const fail = (message: string): Check => ({ ok: false, message });

/**
 * Evaluates one expectation of spec-language.md §8 on the current state, without changing
 * it. Used by statements and by `explore` outcomes alike.
 */
export function checkExpectation(it: Interpreter, s: A.Expectation): Check {
  switch (s.type) {
    case 'expectPte': return checkPte(it, s);
    case 'expectHolds': return checkHolds(it, s);
    case 'expectPage': return checkPage(it, s);
    case 'expectCounters': return deviceCounters(it, s);
    case 'expectCoherent': return deviceCoherent(it, s);
    case 'expectViolation': {
      const broken = it.k.check.broken;
      if (s.kinds.length === 0) return broken.length > 0 ? OK : fail('no violation');
      const missing = s.kinds.filter((k) => !broken.some((v) => v.kind === k.value));
      return missing.length === 0 ? OK : fail(`no ${missing.map((k) => k.value).join(', ')} violation`);
    }
    case 'expectTrace':
      return fail('expect trace cannot be an explore outcome');
    case 'expectNoEvent':
      return fail('expect no event cannot be an explore outcome');
    case 'expectThread': return checkThread(it, s);
  }
}

function checkPte(it: Interpreter, s: A.ExpectPte): Check {
  const pg = it.pages(s.range, undefined);
  for (const addr of pg.addrs) {
    const pte = pg.proc.mm.pte(addr);
    const where = it.w.addrName(pg.proc.pid, addr);
    const found = pteText(pte);
    const kind = pte.bits & PTE_KIND_MASK;
    const protnone = kind === PTE_PRESENT && (pte.bits & PTE_PROTNONE) !== 0;
    const want = (ok: boolean, what: string): Check | undefined => (ok ? undefined : fail(`${where}: expected pte ${what}, found ${found}`));
    let r: Check | undefined;
    switch (s.state) {
      case 'none': r = want(kind === 0, 'none'); break;
      case 'swap': r = want(kind === PTE_SWAP, 'swap'); break;
      case 'migration': r = want(kind === PTE_MIGRATION, 'migration'); break;
      case 'numa': r = want(protnone, 'numa (protnone)'); break;
      case 'present': {
        // The other PTE of `maps`, named as the spec would name it.
        const other = s.maps ? it.pages(s.maps, pg.proc.name) : undefined;
        const oname = other ? `${other.proc.name}.${it.w.addrName(other.proc.pid, other.addrs[0]!)}` : '';
        const attrs = s.attrs.map((a) => (a.value === 'maps' ? `maps ${oname}` : a.value)).join(' ');
        const desc = `present${attrs ? ' ' + attrs : ''}`;
        if (kind !== PTE_PRESENT || protnone) { r = fail(`${where}: expected pte ${desc}, found ${found}`); break; }
        const b = pte.bits;
        const bad: string[] = [];
        if (s.access?.value === 'r' && (b & PTE_WRITE) !== 0) bad.push('writable');
        if (s.access?.value === 'rw' && (b & PTE_WRITE) === 0) bad.push('not writable');
        if (s.special && (b & PTE_SPECIAL) === 0) bad.push('not special');
        if (s.dirty && (b & PTE_DIRTY) === 0) bad.push('not dirty');
        if (s.young && (b & PTE_YOUNG) === 0) bad.push('not young');
        if (s.huge && (b & PMD_HUGE) === 0) bad.push('not huge');
        if (s.zero && pte.pfn !== 0) bad.push('not the zero page');
        for (const n of s.not ?? []) {
          if (n === 'rw' && (b & PTE_WRITE) !== 0) bad.push('writable');
          if (n === 'special' && (b & PTE_SPECIAL) !== 0) bad.push('special');
          if (n === 'dirty' && (b & PTE_DIRTY) !== 0) bad.push('dirty');
          if (n === 'young' && (b & PTE_YOUNG) !== 0) bad.push('young');
          if (n === 'huge' && (b & PMD_HUGE) !== 0) bad.push('huge');
          if (n === 'zero' && pte.pfn === 0) bad.push('the zero page');
        }
        if (other) {
          const o = other.proc.mm.pte(other.addrs[0]!);
          if ((o.bits & PTE_KIND_MASK) !== PTE_PRESENT) bad.push(`${oname} is not present (${pteText(o)})`);
          else if (o.pfn !== pte.pfn) bad.push(`${oname} maps ${pteText(o)}`);
        }
        if (bad.length) r = fail(`${where}: expected pte ${desc}, found ${found} (${bad.join(', ')})`);
        break;
      }
    }
    if (r) return r;
  }
  return OK;
}

/** `THREAD ok|SIGNAL|ERRNO|reads V`: the result of a thread of the last race/explore block run. */
function checkThread(it: Interpreter, s: A.ExpectThread): Check {
  const name = s.thread.name;
  const r = it.threadResults.get(name);
  if (!r) return fail(`${name} has no result: it did not finish`);
  if (s.result.value === 'reads') {
    const v = s.value!.value;
    if (r.reads.length === 0) return fail(`${name} read no page (${r.result}), expected it to read ${valueText(v)}`);
    const other = r.reads.find((x) => x !== v);
    return other === undefined ? OK : fail(`${name} read ${valueText(other)}, expected ${valueText(v)}`);
  }
  return r.result === s.result.value ? OK : fail(`${name} ended ${r.result === 'ok' ? 'ok' : `in ${r.result}`}, expected ${s.result.value}`);
}

function checkHolds(it: Interpreter, s: A.ExpectHolds): Check {
  const pg = it.pages(s.range, undefined);
  for (const addr of pg.addrs) {
    const v = pageContent(it.k, pg.proc.mm, addr);
    const where = it.w.addrName(pg.proc.pid, addr);
    if (v === undefined) return fail(`${where}: no VMA maps this address`);
    if (v !== s.value.value) return fail(`${where}: holds ${valueText(v)}, expected ${valueText(s.value.value)}`);
  }
  return OK;
}

function checkPage(it: Interpreter, s: A.ExpectPage): Check {
  const pg = it.pages(s.range, undefined);
  for (const addr of pg.addrs) {
    const pte = pg.proc.mm.pte(addr);
    const where = it.w.addrName(pg.proc.pid, addr);
    const kind = pte.bits & PTE_KIND_MASK;
    if (kind !== PTE_PRESENT && kind !== PTE_DEVICE) return fail(`${where}: expected a mapped page, found pte ${pteText(pte)}`);
    if (pte.pfn === 0) return fail(`${where}: maps the zero page, which has no counts to check`);
    const head = it.k.mem.headOf(pte.pfn);
    const rc = it.k.mem.refcount[head]!, mc = it.k.mem.mapcount[head]!;
    const bad: string[] = [];
    if (s.refcount && s.refcount.value !== rc) bad.push(`refcount ${rc} (expected ${s.refcount.value})`);
    if (s.mapcount && s.mapcount.value !== mc) bad.push(`mapcount ${mc} (expected ${s.mapcount.value})`);
    if (bad.length) return fail(`${where}: pfn ${head} has ${bad.join(', ')}`);
  }
  return OK;
}

export { PAGE_SIZE };
