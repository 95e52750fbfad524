/**
 * The syntax tree of an mmspec file (docs/language.md; the surface language is
 * /work/shared/spec-language.md). Produced by the generated parser (grammar/mmspec.peggy)
 * through parse.ts, validated by check.ts, read by the interpreter (src/run).
 *
 * Every node has a `type` discriminant and a `loc`. Every part a diagnostic may point at
 * (names, numbers, words, option keys and values, step references) is a node of its own.
 *
 * Enumerated words (PROT, ADVICE, ERRNO, signal, violation KIND, counter and option names)
 * are typed with their union, but the parser accepts any word in those places so that the
 * static checks can say what was expected. Only a spec that passed checkSpec() may be run,
 * and then the unions hold.
 *
 * Shape is stable: fields are only ever added.
 */
import type {
  Advice, CounterName, DmirrorErrno, PteAttr, Prot, Quantifier, Signal, SyscallErrno, ViolationKind,
} from './names.js';

/** Where a node stands in the source: 0-based offset, 1-based line and column, length in chars. */
export interface Loc {
  readonly offset: number;
  readonly line: number;
  readonly col: number;
  readonly length: number;
}

interface Node {
  readonly loc: Loc;
}

// ---------------------------------------------------------------- leaves

/** An identifier naming a process, region, file, device or thread. Never a keyword. */
export interface Name extends Node { readonly type: 'name'; readonly name: string }
/** An integer literal, decimal or hex, underscores allowed; `raw` is the text as written. */
export interface Int extends Node { readonly type: 'int'; readonly value: number; readonly raw: string }
/** A string literal with its escapes decoded. */
export interface Str extends Node { readonly type: 'string'; readonly value: string }
/** The content of a page: a string or an integer. */
export interface Value extends Node { readonly type: 'value'; readonly value: string | number }
/** A word of a closed vocabulary (PROT, ERRNO, …) or a free word (tag, step name); `value` is the text as written. */
export interface Word<T extends string = string> extends Node { readonly type: 'word'; readonly value: T }

// ---------------------------------------------------------------- addresses (§4)

/** `[3]` (start only: one page) or `[2..5]` (pages 2, 3, 4: end is exclusive). */
export interface Slice extends Node { readonly type: 'slice'; readonly start: Int; readonly end?: Int }
/** `heap`, `heap[3]`, `heap[2..5]`, `vm1.heap[0]`: pages of a named region, of `process` or of the actor. */
export interface RegionRange extends Node {
  readonly type: 'regionRange'; readonly process?: Name; readonly region: Name; readonly slice?: Slice;
}
/** `0x7f0000002000`, `vm1@0x7f0000002000`: the one page at a raw address, of `process` or of the actor. */
export interface AddressRange extends Node {
  readonly type: 'addressRange'; readonly process?: Name; readonly address: Int;
}
/** Any address form of §4. */
export type Range = RegionRange | AddressRange;
/** `target vm1.heap[2]` of `mmap DEV`: the first target page that the mirror VMA mirrors. */
export interface TargetRef extends Node {
  readonly type: 'targetRef'; readonly process: Name; readonly region: Name; readonly index: Int;
}

// ---------------------------------------------------------------- header and declarations (§2, §3)

/** `spec "title"`: must be the first statement. */
export interface SpecStmt extends Node { readonly type: 'spec'; readonly title: Str }
/** `tags a, b`: free words, for selecting specs. */
export interface TagsStmt extends Node { readonly type: 'tags'; readonly tags: readonly Word[] }
/** `memory N frames`. */
export interface MemoryStmt extends Node { readonly type: 'memory'; readonly frames: Int }
/** `swap N slots`. */
export interface SwapStmt extends Node { readonly type: 'swap'; readonly slots: Int }
/** `process NAME`. */
export interface ProcessDecl extends Node { readonly type: 'process'; readonly name: Name }
/** `file NAME pages N [= V0, V1, …]`; without values page i holds "NAME:i". */
export interface FileDecl extends Node {
  readonly type: 'file'; readonly name: Name; readonly pages: Int; readonly values?: readonly Value[];
}

// ---------------------------------------------------------------- process statements (§5): `ACTOR: verb …`

/** `ACTOR: mmap anon NAME pages N [PROT] [shared] [huge] [at ADDR] [expect ERRNO]`; prot defaults to rw. */
export interface MmapAnon extends Node {
  readonly type: 'mmapAnon'; readonly actor: Name; readonly name: Name; readonly pages: Int;
  readonly prot?: Word<Prot>; readonly shared: boolean; readonly huge: boolean; readonly at?: Int;
  readonly expectErrno?: Word<SyscallErrno>;
}
/** `ACTOR: mmap file NAME FILE [offset K] pages N [PROT] [shared] [at ADDR] [expect ERRNO]`; prot defaults to r. */
export interface MmapFile extends Node {
  readonly type: 'mmapFile'; readonly actor: Name; readonly name: Name; readonly file: Name;
  readonly offset?: Int; readonly pages: Int; readonly prot?: Word<Prot>; readonly shared: boolean;
  readonly at?: Int; readonly expectErrno?: Word<SyscallErrno>;
}
/** `ACTOR: mmap DEV NAME pages N target P.R[i] [PROT] [at ADDR] [expect ERRNO]`; prot defaults to r. */
export interface MmapDev extends Node {
  readonly type: 'mmapDev'; readonly actor: Name; readonly device: Name; readonly name: Name;
  readonly pages: Int; readonly target: TargetRef; readonly prot?: Word<Prot>; readonly at?: Int;
  readonly expectErrno?: Word<SyscallErrno>;
}
/** One `KEY=VALUE` of `open mirror … with`; see options.ts for the table and defaults. */
export interface MirrorOption extends Node { readonly type: 'option'; readonly key: Word; readonly value: Word | Int }
/** `ACTOR: open mirror DEV of PROCESS [with K=V, …]`. */
export interface OpenMirror extends Node {
  readonly type: 'openMirror'; readonly actor: Name; readonly device: Name; readonly target: Name;
  readonly options: readonly MirrorOption[];
}
/** `ACTOR: open dmirror D`: the opener's own mm is mirrored. */
export interface OpenDmirror extends Node { readonly type: 'openDmirror'; readonly actor: Name; readonly device: Name }
/** `ACTOR: close DEV`. */
export interface Close extends Node { readonly type: 'close'; readonly actor: Name; readonly device: Name }
/** `ACTOR: read RANGE [expect V | expect SIGSEGV | expect SIGBUS]`. */
export interface Read extends Node {
  readonly type: 'read'; readonly actor: Name; readonly range: Range;
  readonly expectValue?: Value; readonly expectSignal?: Word<Signal>;
}
/** `ACTOR: write RANGE V [expect SIGSEGV | expect SIGBUS]`. */
export interface Write extends Node {
  readonly type: 'write'; readonly actor: Name; readonly range: Range; readonly value: Value;
  readonly expectSignal?: Word<Signal>;
}
/** `ACTOR: munmap RANGE [expect ERRNO]`. */
export interface Munmap extends Node {
  readonly type: 'munmap'; readonly actor: Name; readonly range: Range; readonly expectErrno?: Word<SyscallErrno>;
}
/** `ACTOR: mprotect RANGE PROT [expect ERRNO]`. */
export interface Mprotect extends Node {
  readonly type: 'mprotect'; readonly actor: Name; readonly range: Range; readonly prot: Word<Prot>;
  readonly expectErrno?: Word<SyscallErrno>;
}
/** `ACTOR: madvise RANGE ADVICE [expect ERRNO]`. */
export interface Madvise extends Node {
  readonly type: 'madvise'; readonly actor: Name; readonly range: Range; readonly advice: Word<Advice>;
  readonly expectErrno?: Word<SyscallErrno>;
}
/** `ACTOR: mremap REGION to ADDR [expect ERRNO]`: the whole region moves, with its name. */
export interface Mremap extends Node {
  readonly type: 'mremap'; readonly actor: Name; readonly region: Name; readonly to: Int;
  readonly expectErrno?: Word<SyscallErrno>;
}
/** `ACTOR: fork CHILD`: declares process CHILD. */
export interface Fork extends Node { readonly type: 'fork'; readonly actor: Name; readonly child: Name }
/** `ACTOR: exit`. */
export interface Exit extends Node { readonly type: 'exit'; readonly actor: Name }

export type ProcessStmt =
  | MmapAnon | MmapFile | MmapDev | OpenMirror | OpenDmirror | Close | Read | Write
  | Munmap | Mprotect | Madvise | Mremap | Fork | Exit;

// ---------------------------------------------------------------- dmirror (§7b): `[ACTOR:] dmirror D verb …`
// Without an actor, the actor is the process that opened D (check.ts resolves it).

/** A PERM of `dmirror D snapshot … expect`: `read`, `zero+read`, `dev-local+write`, …; `flags` split at `+`. */
export interface Perm extends Node { readonly type: 'perm'; readonly text: string; readonly flags: readonly string[] }
/** `dmirror D read RANGE [expect V, V, … | expect ERRNO]` (HMM_DMIRROR_READ). */
export interface DmirrorRead extends Node {
  readonly type: 'dmirrorRead'; readonly actor?: Name; readonly device: Name; readonly range: Range;
  readonly expectValues?: readonly Value[]; readonly expectErrno?: Word<DmirrorErrno>;
}
/** `dmirror D write RANGE = V, V, … [expect ERRNO]` (HMM_DMIRROR_WRITE). */
export interface DmirrorWrite extends Node {
  readonly type: 'dmirrorWrite'; readonly actor?: Name; readonly device: Name; readonly range: Range;
  readonly values: readonly Value[]; readonly expectErrno?: Word<DmirrorErrno>;
}
/** `dmirror D snapshot RANGE [expect PERM, PERM, …]` (HMM_DMIRROR_SNAPSHOT). */
export interface DmirrorSnapshot extends Node {
  readonly type: 'dmirrorSnapshot'; readonly actor?: Name; readonly device: Name; readonly range: Range;
  readonly expectPerms?: readonly Perm[];
}
/** `dmirror D migrate RANGE [expect ERRNO]`: to device-private memory. */
export interface DmirrorMigrate extends Node {
  readonly type: 'dmirrorMigrate'; readonly actor?: Name; readonly device: Name; readonly range: Range;
  readonly expectErrno?: Word<DmirrorErrno>;
}

export type DmirrorStmt = DmirrorRead | DmirrorWrite | DmirrorSnapshot | DmirrorMigrate;

// ---------------------------------------------------------------- kernel statements (§6): `kernel: verb …`

/** `kernel: reclaim RANGE`. */
export interface KernelReclaim extends Node { readonly type: 'kernelReclaim'; readonly range: Range }
/** `kernel: reclaim N`: LRU reclaim of up to N pages. */
export interface KernelReclaimPages extends Node { readonly type: 'kernelReclaimPages'; readonly count: Int }
/** `kernel: migrate RANGE`. */
export interface KernelMigrate extends Node { readonly type: 'kernelMigrate'; readonly range: Range }
/** `kernel: compact`. */
export interface KernelCompact extends Node { readonly type: 'kernelCompact' }
/** `kernel: khugepaged RANGE`. */
export interface KernelKhugepaged extends Node { readonly type: 'kernelKhugepaged'; readonly range: Range }
/** `kernel: ksm RANGE and RANGE`. */
export interface KernelKsm extends Node { readonly type: 'kernelKsm'; readonly first: Range; readonly second: Range }
/** `kernel: numa-scan RANGE`. */
export interface KernelNumaScan extends Node { readonly type: 'kernelNumaScan'; readonly range: Range }
/** `kernel: writeback FILE`. */
export interface KernelWriteback extends Node { readonly type: 'kernelWriteback'; readonly file: Name }
/** `kernel: oom PROCESS`. */
export interface KernelOom extends Node { readonly type: 'kernelOom'; readonly process: Name }

export type KernelStmt =
  | KernelReclaim | KernelReclaimPages | KernelMigrate | KernelCompact | KernelKhugepaged
  | KernelKsm | KernelNumaScan | KernelWriteback | KernelOom;

// ---------------------------------------------------------------- expectations (§8): `expect …`

/** `pte none|present|swap|migration|numa`. */
export type PteNegatable = 'rw' | 'special' | 'dirty' | 'young' | 'huge' | 'zero';
export type PteState = 'none' | 'present' | 'swap' | 'migration' | 'numa';
/**
 * `expect RANGE pte STATE [attributes]`, for every page of RANGE. The attributes belong to
 * `present` only and mean "at least": `access` r (readable, not writable) or rw; `maps` = same
 * pfn as the PTE at that (other process's) address; `zero` = the shared zero page.
 */
export interface ExpectPte extends Node {
  readonly type: 'expectPte'; readonly range: Range; readonly state: PteState;
  readonly access?: Word<'r' | 'rw'>; readonly special: boolean; readonly dirty: boolean;
  readonly young: boolean; readonly huge: boolean; readonly zero: boolean; readonly maps?: Range;
  /** The negated attributes (v1.1, `!dirty` …): the PTE must not have them; `rw` = not writable. */
  readonly not?: readonly PteNegatable[];
  /** The attribute words as written, in order (for messages). */
  readonly attrs: readonly Word<PteAttr>[];
}
/** `expect RANGE holds V`: every page's content, wherever it is. */
export interface ExpectHolds extends Node { readonly type: 'expectHolds'; readonly range: Range; readonly value: Value }
/** `expect page ADDR [refcount N] [mapcount M]` (at least one given). */
export interface ExpectPage extends Node {
  readonly type: 'expectPage'; readonly range: Range; readonly refcount?: Int; readonly mapcount?: Int;
}
/** One `NAME N` of `expect DEV counters`. */
export interface CounterExpect extends Node { readonly type: 'counter'; readonly name: Word<CounterName>; readonly value: Int }
/** `expect DEV counters NAME N, NAME N, …`. */
export interface ExpectCounters extends Node {
  readonly type: 'expectCounters'; readonly device: Name; readonly counters: readonly CounterExpect[];
}
/** `expect coherent DEV`. */
export interface ExpectCoherent extends Node { readonly type: 'expectCoherent'; readonly device: Name }
/**
 * `expect violation [KIND, KIND, …]`: every KIND listed was raised (v1.1: several); without
 * KIND, any violation. Consumes all of the statement's violations.
 */
export interface ExpectViolation extends Node { readonly type: 'expectViolation'; readonly kinds: readonly Word<ViolationKind>[] }
/** One line of an `expect trace` body, trimmed, verbatim; `...` matches any run of events. */
export interface TraceLine extends Node { readonly type: 'traceLine'; readonly text: string; readonly wildcard: boolean }
/** `expect trace { … }`. */
export interface ExpectTrace extends Node { readonly type: 'expectTrace'; readonly lines: readonly TraceLine[] }

/**
 * `expect no event "TEXT"` (v1.1): no event of the previous non-expect statement contains TEXT,
 * in the trace notation (an event line as rendered, or a folded line as the golden shows it).
 */
export interface ExpectNoEvent extends Node { readonly type: 'expectNoEvent'; readonly text: Str }

/**
 * `THREAD ok|SIGSEGV|SIGBUS|SIGKILL|ERRNO` or `THREAD reads V` (v1.1): the result of a thread of
 * the explore block (as an outcome) or of the race block just before (as a statement).
 */
export interface ExpectThread extends Node {
  readonly type: 'expectThread'; readonly thread: Name; readonly result: Word; readonly value?: Value;
}

export type Expectation =
  | ExpectPte | ExpectHolds | ExpectPage | ExpectCounters | ExpectCoherent | ExpectViolation | ExpectTrace | ExpectNoEvent | ExpectThread;

// ---------------------------------------------------------------- concurrency (§10)

/** What a thread of a race/explore block runs: one process, dmirror or kernel statement. */
export type ThreadStmt = ProcessStmt | DmirrorStmt | KernelStmt;
/** `tN = STATEMENT` inside `race { }` / `explore { }`. */
export interface Thread extends Node { readonly type: 'thread'; readonly name: Name; readonly stmt: ThreadStmt }
/** `STEP` or `STEP#N` after `THREAD@`; `occurrence` (N ≥ 1) defaults to the first. */
export interface StepRef extends Node { readonly type: 'stepRef'; readonly name: Word; readonly occurrence?: Int }
/** `THREAD@STEP` (run up to and including STEP) or `THREAD` (run to the end). */
export interface ScheduleEntry extends Node { readonly type: 'scheduleEntry'; readonly thread: Name; readonly step?: StepRef }
/** `race { threads } schedule …`; an absent schedule is empty (threads run in declaration order). */
export interface Race extends Node {
  readonly type: 'race'; readonly threads: readonly Thread[]; readonly schedule: readonly ScheduleEntry[];
}
/** `expect always|sometimes|never COND` after an explore block. */
export interface Outcome extends Node { readonly type: 'outcome'; readonly quantifier: Quantifier; readonly cond: Expectation }
/** `explore { threads }` and its outcome lines. */
export interface Explore extends Node {
  readonly type: 'explore'; readonly threads: readonly Thread[]; readonly outcomes: readonly Outcome[];
  /** `explore max-states N { … }` (v1.1): this block's state limit; `--max-states` overrides it. */
  readonly maxStates?: Int;
}

// ---------------------------------------------------------------- file

export type HeaderStmt = SpecStmt | TagsStmt | MemoryStmt | SwapStmt;
export type Declaration = ProcessDecl | FileDecl;
export type Statement =
  | HeaderStmt | Declaration | ProcessStmt | DmirrorStmt | KernelStmt | Expectation | Race | Explore;

/** A whole `.mms` file: its statements in source order. */
export interface SpecFile extends Node { readonly type: 'specFile'; readonly statements: readonly Statement[] }
