import type { Op, Wait } from './types.js';

/**
 * Sleeping locks as the scheduler sees them: a thread that cannot take one yields a
 * {@link Wait} and is not runnable until the lock could be taken. Owners are task ids.
 */
export class Mutex {
  owner = 0;
  constructor(readonly name: string) {}
  tryLock(task: number): boolean {
    if (this.owner !== 0) return false;
    this.owner = task;
    return true;
  }
  unlock(task: number): void {
    if (this.owner !== task) throw new Error(`Mutex.unlock: ${this.name} not held by task ${task}`);
    this.owner = 0;
  }
  get held(): boolean { return this.owner !== 0; }
}

/**
 * Takes a mutex, waiting while another task holds it. A task that already holds it waits
 * forever: Linux mutexes are not recursive, so re-taking one (a notifier callback re-entered
 * from its own zap, say) is an AA deadlock — the Wait never becomes ready. Linux: mutex_lock()
 */
export function* mutexLock(m: Mutex, task: number): Op<void> {
  if (m.owner === task) {
    const w: Wait = { wait: `${m.name}, which this task already holds (AA deadlock)`, lock: m, ready: () => false };
    for (;;) yield w;
  }
  while (!m.tryLock(task)) {
    const w: Wait = { wait: m.name, lock: m, ready: () => !m.held };
    yield w;
  }
}

/** A reader/writer semaphore (mmap_lock). Linux: struct rw_semaphore */
export class RwSem {
  /** Tasks holding it for read, one entry per acquisition (few at a time). */
  readers: number[] = [];
  writer = 0;
  constructor(readonly name: string) {}
  get held(): boolean { return this.writer !== 0 || this.readers.length > 0; }
  tryRead(task: number): boolean {
    if (this.writer !== 0 && this.writer !== task) return false;
    this.readers.push(task);
    return true;
  }
  tryWrite(task: number): boolean {
    if (this.writer !== 0 || this.readers.length > 0) return false;
    this.writer = task;
    return true;
  }
  upRead(task: number): void {
    const r = this.readers;
    if (r[r.length - 1] === task) { r.pop(); return; }
    const i = r.lastIndexOf(task);
    if (i >= 0) r.splice(i, 1);
  }
  upWrite(task: number): void {
    if (this.writer === task) this.writer = 0;
  }
}

/** Linux: mmap_read_lock() */
export function* downRead(s: RwSem, task: number): Op<void> {
  while (!s.tryRead(task)) yield { wait: `${s.name} (read)`, lock: s, ready: () => s.writer === 0 };
}
/** Linux: mmap_write_lock() */
export function* downWrite(s: RwSem, task: number): Op<void> {
  while (!s.tryWrite(task)) yield { wait: `${s.name} (write)`, lock: s, ready: () => !s.held };
}
