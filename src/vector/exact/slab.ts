/**
 * The per-namespace vector slab: every vector of a namespace in one WebAssembly memory, row
 * after row, so an exact scan is one linear pass at memory bandwidth.
 *
 * Memory layout (byte offsets; rows padded to a multiple of 4 floats with zeros, so the SIMD
 * kernel needs no scalar tail — no cost for the usual 128/512/1024 dimensions):
 *
 *   0              query scratch (one row)
 *   outOffset      key block: SCAN_BLOCK_ROWS float32 written by the kernel
 *   slotsOffset    candidate block: SCAN_BLOCK_ROWS u32 read by the kernel (filtered scans)
 *   vectorsOffset  capacity rows
 *   normsOffset    capacity float32: 1/‖row‖ for cosine (0 for a zero row)
 *
 * Scanning in blocks keeps the kernel's output in L1 while top-k reads it and makes the
 * scratch independent of the slab size. The norms sit after the rows and move when the slab
 * grows (a copy of 4 bytes a slot), so rows never move.
 */
import { fvError } from '../../errors.js';
import { at } from '../../util/checked.js';
import type { Metric } from '../types.js';
import { createKernel, KERNEL_KIND, WASM32_MAX_BYTES, WASM_PAGE_BYTES, type ExactKernel } from './kernel-loader.js';

/** Rows the kernel scores per call. */
export const SCAN_BLOCK_ROWS = 1024;

const FLOAT_BYTES = 4;
const CACHE_LINE = 64;

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

const alignUp = (value: number, to: number): number => Math.ceil(value / to) * to;

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
  private readonly rowFloats: number;
  private readonly rowBytes: number;
  private readonly outOffset: number;
  private readonly slotsOffset: number;
  private readonly vectorsOffset: number;
  private readonly maxCapacity: number;
  private readonly kernel: ExactKernel;
  private capacitySlots = 0;
  private normsOffset = 0;
  private f32!: Float32Array;
  private u32!: Uint32Array;
  private keyBlock!: Float32Array;
  private liveFlags: Uint8Array;
  private readonly freeSlots: number[] = [];
  private liveSlots = 0;
  private highWaterMark = 0;
  private kernelKind = 0;
  private readonly keepsNorms: boolean;
  private queryScale = 1;

  /**
   * @param dimension floats per vector, a positive integer (validated by the index).
   * @throws FV_ERR_INVALID_ARGUMENT when `maxBytes` cannot hold even one row.
   */
  constructor(dimension: number, options: VectorSlabOptions = {}) {
    this.dimension = dimension;
    this.keepsNorms = options.norms ?? true;
    this.rowFloats = alignUp(dimension, 4);
    this.rowBytes = this.rowFloats * FLOAT_BYTES;
    this.outOffset = alignUp(this.rowBytes, CACHE_LINE);
    this.slotsOffset = this.outOffset + SCAN_BLOCK_ROWS * FLOAT_BYTES;
    this.vectorsOffset = this.slotsOffset + SCAN_BLOCK_ROWS * FLOAT_BYTES;
    const maxPages = Math.floor(Math.min(options.maxBytes ?? WASM32_MAX_BYTES, WASM32_MAX_BYTES) / WASM_PAGE_BYTES);
    this.maxCapacity = this.capacityIn(maxPages * WASM_PAGE_BYTES);
    if (this.maxCapacity < 1) {
      throw fvError('FV_ERR_INVALID_ARGUMENT', `maxBytes ${options.maxBytes} cannot hold one vector of dimension ${dimension}`, {
        maxBytes: options.maxBytes,
        dimension,
      });
    }
    const initialCapacity = Math.min(Math.max(options.initialCapacity ?? 0, 1), this.maxCapacity);
    this.kernel = createKernel(this.pagesFor(initialCapacity), maxPages);
    this.capacitySlots = this.capacityIn(this.kernel.buffer.byteLength);
    this.normsOffset = this.vectorsOffset + this.capacitySlots * this.rowBytes;
    this.liveFlags = new Uint8Array(this.capacitySlots);
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

  /** Memory held: the WebAssembly memory plus the liveness map. */
  get bytes(): number {
    return this.kernel.buffer.byteLength + this.liveFlags.byteLength;
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
    for (let i = 0; i < slots.length; i++) this.writeRow(at(slots, i), vectors, i * this.dimension);
  }

  /** A copy of the slot's vector. @throws FV_ERR_INTERNAL when the slot is not live. */
  read(slot: number): Float32Array {
    this.assertLive(slot);
    const start = this.vectorsOffset / FLOAT_BYTES + slot * this.rowFloats;
    return this.f32.slice(start, start + this.dimension);
  }

  /** @internal Loads the query into the kernel's scratch row; for `searchExact` only. */
  prepareQuery(query: Float32Array, metric: Metric): void {
    if (metric === 'cosine' && !this.keepsNorms) {
      throw fvError('FV_ERR_INTERNAL', 'a cosine search needs a slab created with norms: true', { metric });
    }
    this.f32.set(query, 0);
    this.kernelKind = KERNEL_KIND[metric];
    if (metric === 'cosine') {
      let sumOfSquares = 0;
      for (const x of query.subarray(0, this.dimension)) sumOfSquares += x * x;
      this.queryScale = sumOfSquares > 0 ? 1 / Math.sqrt(sumOfSquares) : 0;
    }
  }

  /**
   * @internal Scores slots `first .. first + count - 1` (count ≤ SCAN_BLOCK_ROWS) against the
   * prepared query; returns the key block (lower is closer), valid until the next call.
   */
  scoreRange(first: number, count: number): Float32Array {
    this.kernel.scan(this.kernelKind, 0, this.vectorsOffset, this.rowBytes, first, count, 0, this.outOffset, this.normsOffset, this.queryScale);
    return this.keyBlock;
  }

  /**
   * @internal Scores `slots[offset .. offset + count)` (count ≤ SCAN_BLOCK_ROWS) against the
   * prepared query; key i belongs to `slots[offset + i]`.
   * @throws FV_ERR_INTERNAL when a slot is at or beyond `highWater` (it would read outside the rows).
   */
  scoreSlots(slots: Uint32Array, offset: number, count: number): Float32Array {
    const u32 = this.u32;
    const base = this.slotsOffset / FLOAT_BYTES;
    let largest = 0;
    for (let i = 0; i < count; i++) {
      const slot = slots[offset + i];
      if (slot === undefined) throw fvError('FV_ERR_INTERNAL', `candidate ${offset + i} is past the list of ${slots.length}`, { offset, count });
      u32[base + i] = slot;
      if (slot > largest) largest = slot;
    }
    if (largest >= this.highWaterMark) {
      throw fvError('FV_ERR_INTERNAL', `candidate slot ${largest} is not below the slab's highWater ${this.highWaterMark}`, {
        slot: largest,
        highWater: this.highWaterMark,
      });
    }
    this.kernel.scan(this.kernelKind, 0, this.vectorsOffset, this.rowBytes, 0, count, this.slotsOffset, this.outOffset, this.normsOffset, this.queryScale);
    return this.keyBlock;
  }

  /** @internal 1 for a live slot, 0 for a free one; replaced when the slab grows. */
  get liveMask(): Uint8Array {
    return this.liveFlags;
  }

  private writeRow(slot: number, values: Float32Array, offset: number): void {
    const row = this.vectorsOffset + slot * this.rowBytes;
    this.f32.set(values.subarray(offset, offset + this.dimension), row / FLOAT_BYTES);
    if (!this.keepsNorms) return;
    // ‖x‖² as the row's dot product with itself, by the SIMD kernel: three times faster than
    // a JS loop, whose single accumulator is latency-bound.
    this.kernel.scan(KERNEL_KIND.dotproduct, row, this.vectorsOffset, this.rowBytes, slot, 1, 0, this.outOffset, 0, 1);
    const sumOfSquares = -at(this.keyBlock, 0);
    this.f32[this.normsOffset / FLOAT_BYTES + slot] = sumOfSquares > 0 ? 1 / Math.sqrt(sumOfSquares) : 0;
  }

  private assertLive(slot: number): void {
    if (this.liveFlags[slot] !== 1) {
      throw fvError('FV_ERR_INTERNAL', `slot ${slot} is not live in this vector slab (highWater ${this.highWaterMark})`, { slot });
    }
  }

  /** Doubles the capacity (capped at what 4 GiB holds), moving the norms after the new rows. */
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
    this.refreshViews();
    this.capacitySlots = Math.min(this.capacityIn(this.kernel.buffer.byteLength), this.maxCapacity);
    const oldNorms = this.normsOffset / FLOAT_BYTES;
    this.normsOffset = this.vectorsOffset + this.capacitySlots * this.rowBytes;
    // The old norms now lie inside rows oldCapacity.. whose pad lanes must read as zero.
    this.f32.copyWithin(this.normsOffset / FLOAT_BYTES, oldNorms, oldNorms + oldCapacity);
    this.f32.fill(0, oldNorms, oldNorms + oldCapacity);
    const liveFlags = new Uint8Array(this.capacitySlots);
    liveFlags.set(this.liveFlags);
    this.liveFlags = liveFlags;
  }

  private refreshViews(): void {
    const buffer = this.kernel.buffer;
    this.f32 = new Float32Array(buffer);
    this.u32 = new Uint32Array(buffer);
    this.keyBlock = new Float32Array(buffer, this.outOffset, SCAN_BLOCK_ROWS);
  }

  private capacityIn(bytes: number): number {
    return Math.max(0, Math.floor((bytes - this.vectorsOffset) / (this.rowBytes + FLOAT_BYTES)));
  }

  private pagesFor(capacity: number): number {
    return Math.ceil((this.vectorsOffset + capacity * (this.rowBytes + FLOAT_BYTES)) / WASM_PAGE_BYTES);
  }
}
