import type { Value, SwapSlot } from './types.js';
import type { Vma } from './vma.js';

/**
 * A file and its page cache (struct address_space). `backing` is what the disk holds;
 * `cache` maps a page index to the frame caching it. A shmem object (shared anonymous
 * memory) is a file with no disk: its pages go to swap, and the swap entry stays in the
 * mapping (shmem_writepage).
 * Linux: struct address_space, i_mmap (the file rmap), filemap_fault()
 */
export class FileObj {
  /** Page cache: index → pfn. */
  readonly cache = new Map<number, number>();
  /** shmem only: index → swap slot of a swapped-out page. */
  readonly swapped = new Map<number, SwapSlot>();
  /** i_mmap: every VMA mapping this file, for rmap_walk_file(). */
  readonly mappings = new Set<Vma>();
  constructor(
    readonly id: number,
    readonly name: string,
    /** Size in pages. */
    public pages: number,
    /**
     * On-disk contents written so far, by page index (a shmem object's are all 0 and never
     * read back); a page never written holds `initial(index)`. Sparse: a file of a billion
     * pages costs what its written pages cost.
     */
    readonly backing: Value[],
    readonly shmem: boolean,
    readonly initial: (index: number) => Value = () => 0,
  ) {}

  /** What the disk holds at page `index`. Linux: the data a ->read_folio() would read. */
  diskValue(index: number): Value {
    return this.backing[index] ?? this.initial(index);
  }
}
