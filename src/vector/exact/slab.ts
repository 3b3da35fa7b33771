/**
 * The per-namespace vector slab: every vector of a namespace in one shared WebAssembly memory,
 * row after row, so an exact scan is one linear pass at memory bandwidth, on this thread or
 * split over the scan threads (see slab-layout.ts for where everything sits).
 *
 * Scanning in blocks keeps the kernel's output in L1 while top-k reads it and makes the
 * scratch independent of the slab size. The norms and live flags sit after the rows and move
 * when the slab grows (5 bytes a slot), so rows never move.
 */
import { fvError } from '../../errors.js';
import { at } from '../../util/checked.js';
import type { Metric } from '../types.js';
import { BlockScorer, prepareQuery } from './block-scorer.js';
import { createKernel, WASM32_MAX_BYTES, WASM_PAGE_BYTES, type ExactKernel, type KernelMemory } from './kernel-loader.js';
import { FLOAT_BYTES, SlabGeometry, type ScratchRegion, type SlabLayout } from './slab-layout.js';

export { SCAN_BLOCK_ROWS } from './slab-layout.js';

export interface VectorSlabOptions {
  /** Slots to make room for up front (e.g. the record count when reloading) instead of doubling towards it. */
  initialCapacity?: number;
  /** Memory the slab may hold at most; default and ceiling: the 4 GiB wasm32 addresses. */
  maxBytes?: number;
  /**
   * Keep each row's inverse norm (default true). Only cosine needs it; a euclidean or
   * dot-product namespace skips that work on every write.
   */
  norms?: boolean;
}

/**
 * Fixed-dimension float32 rows in slots, with a free list. Single-threaded, synchronous.
 *
 * Slots are dense small integers: `allocate()` reuses a released slot, else appends one
 * (growing memory by doubling). A slot holds stale data until written; the caller writes it
 * right after allocating. Free slots are never returned by `searchExact`.
 *
 * @example
 * const slab = new VectorSlab(3);
 * const slot = slab.allocate();          // 0
 * slab.write(slot, new Float32Array([1, 2, 2]));
 * slab.read(slot);                       // Float32Array [1, 2, 2]
 */
export class VectorSlab {
  /** Floats per vector. */
  readonly dimension: number;
  private readonly geometry: SlabGeometry;
  private readonly maxCapacity: number;
  private readonly kernel: ExactKernel;
  private readonly scorer: BlockScorer;
  private capacitySlots = 0;
  private layoutNow: SlabLayout;
  private f32!: Float32Array;
  private liveFlags!: Uint8Array;
  private readonly freeSlots: number[] = [];
  private liveSlots = 0;
  private highWaterMark = 0;
  private readonly keepsNorms: boolean;

  /**
   * @param dimension floats per vector, a positive integer (validated by the index).
   * @throws FV_ERR_INVALID_ARGUMENT when `maxBytes` cannot hold even one row.
   */
  constructor(dimension: number, options: VectorSlabOptions = {}) {
    this.dimension = dimension;
    this.keepsNorms = options.norms ?? true;
    this.geometry = new SlabGeometry(dimension);
    const maxPages = Math.floor(Math.min(options.maxBytes ?? WASM32_MAX_BYTES, WASM32_MAX_BYTES) / WASM_PAGE_BYTES);
    this.maxCapacity = this.geometry.capacityIn(maxPages * WASM_PAGE_BYTES);
    if (this.maxCapacity < 1) {
      throw fvError('FV_ERR_INVALID_ARGUMENT', `maxBytes ${options.maxBytes} cannot hold one vector of dimension ${dimension}`, {
        maxBytes: options.maxBytes,
        dimension,
      });
    }
    const initialCapacity = Math.min(Math.max(options.initialCapacity ?? 0, 1), this.maxCapacity);
    this.kernel = createKernel(this.pagesFor(initialCapacity), maxPages);
    this.capacitySlots = Math.min(this.geometry.capacityIn(this.kernel.buffer.byteLength), this.maxCapacity);
    this.layoutNow = this.geometry.layout(this.capacitySlots);
    this.scorer = new BlockScorer(this.kernel.scan, this.kernel.memory, this.layoutNow, this.geometry.region(this.capacitySlots, 0));
    this.refreshViews();
  }

  /** Slots in use. */
  get liveCount(): number {
    return this.liveSlots;
  }

  /** One past the highest slot ever allocated: scans cover slots 0 .. highWater - 1. */
  get highWater(): number {
    return this.highWaterMark;
  }

  /** Slots the current memory holds before the next growth. */
  get capacity(): number {
    return this.capacitySlots;
  }

  /** Memory held: the WebAssembly memory (rows, norms, live flags, scratch). */
  get bytes(): number {
    return this.kernel.buffer.byteLength;
  }

  /** The shared memory, for scan threads. */
  get memory(): KernelMemory {
    return this.kernel.memory;
  }

  /** Where rows, norms and live flags sit now; changes when the slab grows. */
  get layout(): SlabLayout {
    return this.layoutNow;
  }

  /** Scan thread `thread`'s scratch region (0-based) in the current layout. */
  threadRegion(thread: number): ScratchRegion {
    return this.geometry.region(this.capacitySlots, thread + 1);
  }

  /**
   * A slot for one vector: the most recently released one, else a new one at `highWater`.
   * @throws FV_ERR_CAPACITY when the namespace would exceed the memory one slab can address (4 GiB).
   */
  allocate(): number {
    const reused = this.freeSlots.pop();
    const slot = reused ?? this.highWaterMark;
    if (reused === undefined) {
      if (slot === this.capacitySlots) this.grow();
      this.highWaterMark = slot + 1;
    }
    this.liveFlags[slot] = 1;
    this.liveSlots++;
    return slot;
  }

  /** Frees a slot for reuse; it stops appearing in searches at once. @throws FV_ERR_INTERNAL when the slot is not live. */
  release(slot: number): void {
    this.assertLive(slot);
    this.liveFlags[slot] = 0;
    this.freeSlots.push(slot);
    this.liveSlots--;
  }

  /** Whether `slot` is allocated and not released. */
  isLive(slot: number): boolean {
    return this.liveFlags[slot] === 1;
  }

  /**
   * Copies `values[offset .. offset + dimension)` into the slot and updates its norm.
   * @throws FV_ERR_INTERNAL when the slot is not live.
   */
  write(slot: number, values: Float32Array, offset = 0): void {
    this.assertLive(slot);
    this.writeRow(slot, values, offset);
  }

  /**
   * Writes `slots.length` rows packed in `vectors` (row i at `i * dimension`): the batch path
   * of upserts and of reloading a namespace.
   * @throws FV_ERR_INTERNAL when a slot is not live.
   */
  writeMany(slots: ArrayLike<number>, vectors: Float32Array): void {
    for (let i = 0; i < slots.length; i++) this.assertLive(at(slots, i));
    const { dimension } = this;
    const packed = this.layoutNow.rowBytes === dimension * FLOAT_BYTES;
    for (let i = 0; i < slots.length; ) {
      // Rows without padding lanes (a dimension divisible by 4) at consecutive slots are one
      // block in memory, as in the batch: copied at once (a batch of new records is one run).
      let end = i + 1;
      if (packed) while (end < slots.length && at(slots, end) === at(slots, end - 1) + 1) end++;
      const first = at(slots, i);
      this.f32.set(vectors.subarray(i * dimension, end * dimension), (this.layoutNow.vectorsOffset + first * this.layoutNow.rowBytes) / FLOAT_BYTES);
      if (this.keepsNorms) for (let slot = first; slot < first + end - i; slot++) this.updateNorm(slot);
      i = end;
    }
  }

  /** A copy of the slot's vector. @throws FV_ERR_INTERNAL when the slot is not live. */
  read(slot: number): Float32Array {
    this.assertLive(slot);
    const start = (this.layoutNow.vectorsOffset + slot * this.layoutNow.rowBytes) / FLOAT_BYTES;
    return this.f32.slice(start, start + this.dimension);
  }

  /**
   * The query's form for the kernel (metric code, cosine scale).
   * @throws FV_ERR_INTERNAL for a cosine query on a slab that keeps no norms.
   */
  prepare(query: Float32Array, metric: Metric): { kind: number; queryScale: number } {
    if (metric === 'cosine' && !this.keepsNorms) {
      throw fvError('FV_ERR_INTERNAL', 'a cosine search needs a slab created with norms: true', { metric });
    }
    return prepareQuery(query, this.dimension, metric);
  }

  /** @internal This thread's scorer, with `query` loaded; for `searchExact` only. */
  scorerFor(query: Float32Array, metric: Metric): BlockScorer {
    this.scorer.prepare(query, this.dimension, this.prepare(query, metric));
    return this.scorer;
  }

  /**
   * @internal Checks a candidate list before a scan reads rows by it.
   * @throws FV_ERR_INTERNAL when a slot is at or beyond `highWater` (it would read outside the rows).
   */
  checkCandidates(slots: Uint32Array): void {
    let largest = 0;
    for (const slot of slots) if (slot > largest) largest = slot;
    if (slots.length > 0 && largest >= this.highWaterMark) {
      throw fvError('FV_ERR_INTERNAL', `candidate slot ${largest} is not below the slab's highWater ${this.highWaterMark}`, {
        slot: largest,
        highWater: this.highWaterMark,
      });
    }
  }

  private writeRow(slot: number, values: Float32Array, offset: number): void {
    const row = this.layoutNow.vectorsOffset + slot * this.layoutNow.rowBytes;
    this.f32.set(values.subarray(offset, offset + this.dimension), row / FLOAT_BYTES);
    if (this.keepsNorms) this.updateNorm(slot);
  }

  private updateNorm(slot: number): void {
    // ‖x‖² as the row's dot product with itself, by the SIMD kernel: three times faster than
    // a JS loop, whose single accumulator is latency-bound.
    const sumOfSquares = this.scorer.sumOfSquares(slot);
    this.f32[this.layoutNow.normsOffset / FLOAT_BYTES + slot] = sumOfSquares > 0 ? 1 / Math.sqrt(sumOfSquares) : 0;
  }

  private assertLive(slot: number): void {
    if (this.liveFlags[slot] !== 1) {
      throw fvError('FV_ERR_INTERNAL', `slot ${slot} is not live in this vector slab (highWater ${this.highWaterMark})`, { slot });
    }
  }

  /** Doubles the capacity (capped at what 4 GiB holds), moving the norms and live flags after the new rows. */
  private grow(): void {
    const oldCapacity = this.capacitySlots;
    if (oldCapacity >= this.maxCapacity) {
      throw fvError(
        'FV_ERR_CAPACITY',
        `namespace is full: one vector slab holds at most ${this.maxCapacity} vectors of dimension ${this.dimension} ` +
          `(${this.kernel.buffer.byteLength} bytes of WebAssembly memory, the wasm32 limit is 4 GiB)`,
        { capacity: this.maxCapacity, dimension: this.dimension, bytes: this.kernel.buffer.byteLength },
      );
    }
    const target = Math.min(oldCapacity * 2, this.maxCapacity);
    const deltaPages = this.pagesFor(target) - this.kernel.buffer.byteLength / WASM_PAGE_BYTES;
    try {
      this.kernel.grow(deltaPages);
    } catch (cause) {
      throw fvError(
        'FV_ERR_CAPACITY',
        `cannot grow the vector slab to ${target} vectors of dimension ${this.dimension}: the engine refused ${deltaPages} more pages of WebAssembly memory`,
        { capacity: target, dimension: this.dimension },
        cause,
      );
    }
    const old = this.layoutNow;
    this.capacitySlots = Math.min(this.geometry.capacityIn(this.kernel.buffer.byteLength), this.maxCapacity);
    this.layoutNow = this.geometry.layout(this.capacitySlots);
    this.scorer.relocate(this.layoutNow, this.geometry.region(this.capacitySlots, 0));
    this.refreshViews();
    // Both tables move up. The live flags go first: their new place lies above the old norms,
    // while the norms' new place may overlap the old flags (a growth capped at the 4 GiB limit).
    // What the old tables leave behind is now inside rows oldCapacity.., whose pad lanes must read as zero.
    const bytes = new Uint8Array(this.kernel.buffer);
    bytes.copyWithin(this.layoutNow.liveOffset, old.liveOffset, old.liveOffset + oldCapacity);
    bytes.copyWithin(this.layoutNow.normsOffset, old.normsOffset, old.normsOffset + oldCapacity * FLOAT_BYTES);
    bytes.fill(0, old.normsOffset, Math.min(old.liveOffset + oldCapacity, this.layoutNow.normsOffset));
  }

  private refreshViews(): void {
    const buffer = this.kernel.buffer;
    this.f32 = new Float32Array(buffer);
    this.liveFlags = new Uint8Array(buffer, this.layoutNow.liveOffset, this.capacitySlots);
  }

  private pagesFor(capacity: number): number {
    return Math.ceil(this.geometry.bytesFor(capacity) / WASM_PAGE_BYTES);
  }
}
