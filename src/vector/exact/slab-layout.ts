/**
 * Where things sit in a slab's shared WebAssembly memory (byte offsets), for the slab that owns
 * the memory and for the scan threads that read it:
 *
 *   0               scratch region 0: the owning (main) thread's query row, key block, slot block
 *   vectors         capacity rows, rowBytes apart (rows padded with zeros to a multiple of 4 floats)
 *   norms           capacity float32: 1/‖row‖ for cosine (0 for a zero row)
 *   live            capacity bytes: 1 for a live slot, 0 for a free one
 *   scratch         SCAN_THREADS more scratch regions, one per scan thread
 *
 * Rows never move; norms, live flags and the scan threads' scratch move up when the slab grows
 * (scans never run during a growth: the namespace's gate holds writes while threads scan).
 * Untouched pages cost address space only, so every slab reserves the threads' scratch.
 */
import { availableParallelism } from 'node:os';

/** Rows the kernel scores per call. */
export const SCAN_BLOCK_ROWS = 1024;

export const FLOAT_BYTES = 4;
const CACHE_LINE = 64;

/**
 * Threads that scan large namespaces, each a disjoint share of the rows of one query. Beyond
 * eight, a scan is bound by memory bandwidth rather than cores. FACEVAULT_SCAN_THREADS overrides
 * it (benchmarks compare 1 and 2; a container limited to fewer cores than the host reports).
 */
export const SCAN_THREADS = scanThreads(process.env.FACEVAULT_SCAN_THREADS);

function scanThreads(setting: string | undefined): number {
  const asked = setting === undefined || setting === '' ? Number.NaN : Number(setting);
  if (Number.isInteger(asked) && asked >= 1 && asked <= 64) return asked;
  return Math.max(1, Math.min(availableParallelism(), 8));
}

/** Offsets of the rows and their side tables: what a scan thread needs besides its own scratch. */
export interface SlabLayout {
  /** Bytes from one row to the next: the dimension rounded up to 4 floats. */
  rowBytes: number;
  vectorsOffset: number;
  normsOffset: number;
  liveOffset: number;
}

/** Offsets of one thread's scratch: where its query row, key block and candidate block sit. */
export interface ScratchRegion {
  query: number;
  keys: number;
  slots: number;
}

export const alignUp = (value: number, to: number): number => Math.ceil(value / to) * to;

/** The arithmetic of one slab's layout, for a dimension; offsets depend on the capacity. */
export class SlabGeometry {
  readonly rowBytes: number;
  /** Bytes of one scratch region: a query row, then a key block and a candidate block of SCAN_BLOCK_ROWS each. */
  readonly regionBytes: number;

  constructor(dimension: number) {
    this.rowBytes = alignUp(dimension, 4) * FLOAT_BYTES;
    this.regionBytes = alignUp(this.rowBytes, CACHE_LINE) + 2 * SCAN_BLOCK_ROWS * FLOAT_BYTES;
  }

  get vectorsOffset(): number {
    return this.regionBytes;
  }

  layout(capacity: number): SlabLayout {
    const normsOffset = this.vectorsOffset + capacity * this.rowBytes;
    return { rowBytes: this.rowBytes, vectorsOffset: this.vectorsOffset, normsOffset, liveOffset: normsOffset + capacity * FLOAT_BYTES };
  }

  /** Region 0 belongs to the owning thread; regions 1..SCAN_THREADS to the scan threads. */
  region(capacity: number, index: number): ScratchRegion {
    const start = index === 0 ? 0 : this.threadScratchOffset(capacity) + (index - 1) * this.regionBytes;
    const keys = start + alignUp(this.rowBytes, CACHE_LINE);
    return { query: start, keys, slots: keys + SCAN_BLOCK_ROWS * FLOAT_BYTES };
  }

  /** Bytes a slab of `capacity` slots needs. */
  bytesFor(capacity: number): number {
    return this.threadScratchOffset(capacity) + SCAN_THREADS * this.regionBytes;
  }

  /** The most slots `bytes` of memory hold. */
  capacityIn(bytes: number): number {
    const perSlot = this.rowBytes + FLOAT_BYTES + 1;
    let capacity = Math.max(0, Math.floor((bytes - this.vectorsOffset - CACHE_LINE - SCAN_THREADS * this.regionBytes) / perSlot));
    // The alignment of the threads' scratch can cost a slot.
    while (capacity > 0 && this.bytesFor(capacity) > bytes) capacity--;
    return capacity;
  }

  private threadScratchOffset(capacity: number): number {
    return alignUp(this.layout(capacity).liveOffset + capacity, CACHE_LINE);
  }
}
