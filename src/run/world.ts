import { Kernel } from '../kernel/kernel.js';
import type { Mm } from '../kernel/mm.js';
import type { FileObj } from '../kernel/file.js';
import { PAGE_SIZE } from '../kernel/types.js';

/** A region: the name a process gives to an address range it mapped (spec-language.md §4). */
export interface Region {
  readonly name: string;
  start: number;
  readonly pages: number;
}

/** A declared process: its pid, mm and region names. */
export interface Proc {
  readonly name: string;
  readonly pid: number;
  mm: Mm;
  readonly regions: Map<string, Region>;
  exited: boolean;
  /** The line of the statement during which the OOM killer killed it (see Interpreter.noteKills). */
  killedAt?: number;
}

/** A device the spec opened (the mirror or dmirror drivers), as the interpreter sees it. */
export interface DeviceHandle {
  readonly name: string;
  readonly kind: 'mirror' | 'dmirror';
  /** The opening process. */
  readonly opener: Proc;
  /** Counter values by name. */
  counters(): Record<string, number>;
  /** Lines for the final state. */
  describe(): string[];
}

/**
 * The interpreter's world: the kernel plus the spec's names for what lives in it
 * (processes, regions, files, devices). The kernel knows none of these names.
 */
export class World {
  readonly procs = new Map<string, Proc>();
  readonly byPid = new Map<number, Proc>();
  readonly files = new Map<string, FileObj>();
  readonly devices = new Map<string, DeviceHandle>();
  private nextPid = 1;

  constructor(readonly k: Kernel) {}

  addProcess(name: string): Proc {
    const pid = this.nextPid++;
    const p: Proc = { name, pid, mm: this.k.createMm(pid), regions: new Map(), exited: false };
    this.procs.set(name, p);
    this.byPid.set(pid, p);
    return p;
  }

  /** Adds a process whose mm the caller created (fork's child). */
  adoptProcess(name: string, mm: Mm, regions: Map<string, Region>): Proc {
    const pid = mm.id;
    this.nextPid = Math.max(this.nextPid, pid + 1);
    const p: Proc = { name, pid, mm, regions, exited: false };
    this.procs.set(name, p);
    this.byPid.set(pid, p);
    return p;
  }
  /**
   * Takes the pid of a process a fork is creating: copy_process() allocates it before the
   * copy, so a fork that hangs half-way (or races another fork) still holds its own.
   * Linux: alloc_pid()
   */
  takePid(): number { return this.nextPid++; }

  proc(name: string): Proc {
    const p = this.procs.get(name);
    if (!p) throw new Error(`World.proc: unknown process ${name}`);
    return p;
  }

  /** `heap[3]` or a hex address, for traces: the region page of `addr` in process `pid`. */
  addrName(pid: number, addr: number): string {
    const p = this.byPid.get(pid);
    if (p) {
      // Newest first: a region mapped where an unmapped one used to be names the page.
      const rs = this.regionList(p);
      for (let i = rs.length - 1; i >= 0; i--) {
        const r = rs[i]!;
        if (addr >= r.start && addr < r.start + r.pages * PAGE_SIZE) {
          return `${r.name}[${Math.floor((addr - r.start) / PAGE_SIZE)}]`;
        }
      }
    }
    return hex(addr);
  }

  /** `heap[0..4]` for a range, or hex bounds. */
  rangeName(pid: number, start: number, end: number): string {
    const p = this.byPid.get(pid);
    if (p) {
      const rs = this.regionList(p);
      for (let i = rs.length - 1; i >= 0; i--) {
        const r = rs[i]!;
        const rEnd = r.start + r.pages * PAGE_SIZE;
        if (start >= r.start && end <= rEnd && end > start) {
          const a = (start - r.start) / PAGE_SIZE, b = Math.ceil((end - r.start) / PAGE_SIZE);
          return b - a === 1 ? `${r.name}[${a}]` : a === 0 && b === r.pages ? `${r.name}[0..${b}]` : `${r.name}[${a}..${b}]`;
        }
      }
    }
    if (end >= Number.MAX_SAFE_INTEGER) return 'all';
    return `[${hex(start)}, ${hex(end)})`;
  }

  /** Names a new region of `p` (names are never reused, nor removed). */
  addRegion(p: Proc, region: Region): void {
    p.regions.set(region.name, region);
    this.lists.get(p)?.push(region);
  }

  /**
   * A process's regions in the order they were named, kept between calls and extended by
   * addRegion: naming a page must not copy the list of a process with thousands of regions
   * for every event.
   */
  private regionList(p: Proc): readonly Region[] {
    let c = this.lists.get(p);
    if (!c) this.lists.set(p, c = [...p.regions.values()]);
    return c;
  }
  private readonly lists = new Map<Proc, Region[]>();

  procName(pid: number): string {
    return this.byPid.get(pid)?.name ?? `mm${pid}`;
  }
}

export const hex = (n: number): string => '0x' + n.toString(16);
