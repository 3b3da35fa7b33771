/**
 * Scores blocks of a slab's rows against one query through the kernel, using one scratch region:
 * the owning thread's (region 0) or a scan thread's. The same code serves both, so a scan gives
 * the same keys wherever it runs.
 */
import { at } from '../../util/checked.js';
import type { Metric } from '../types.js';
import { KERNEL_KIND, type KernelMemory, type KernelScan } from './kernel-loader.js';
import { FLOAT_BYTES, SCAN_BLOCK_ROWS, type ScratchRegion, type SlabLayout } from './slab-layout.js';

/** A query as the kernel takes it: which metric, and for cosine the query's inverse norm. */
export interface PreparedQuery {
  kind: number;
  queryScale: number;
}

/** The kernel's code for `metric` and, for cosine, 1/‖query‖ (0 for a zero query). */
export function prepareQuery(query: Float32Array, dimension: number, metric: Metric): PreparedQuery {
  if (metric !== 'cosine') return { kind: KERNEL_KIND[metric], queryScale: 1 };
  let sumOfSquares = 0;
  for (const x of query.subarray(0, dimension)) sumOfSquares += x * x;
  return { kind: KERNEL_KIND.cosine, queryScale: sumOfSquares > 0 ? 1 / Math.sqrt(sumOfSquares) : 0 };
}

export class BlockScorer {
  private buffer: ArrayBufferLike | undefined;
  private f32: Float32Array<ArrayBufferLike> = new Float32Array(0);
  private u32: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
  private keyBlock: Float32Array<ArrayBufferLike> = new Float32Array(0);
  private liveFlags: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  private query: PreparedQuery = { kind: 0, queryScale: 1 };
  private layout: SlabLayout;

  constructor(
    private readonly scan: KernelScan,
    private readonly memory: KernelMemory,
    layout: SlabLayout,
    private region: ScratchRegion,
  ) {
    this.layout = layout;
  }

  /** Points the scorer at the slab's current layout (it moves when the slab grows). */
  relocate(layout: SlabLayout, region: ScratchRegion): void {
    this.layout = layout;
    this.region = region;
    this.buffer = undefined;
  }

  /** Loads the query into the scratch row. */
  prepare(query: Float32Array, dimension: number, prepared: PreparedQuery): void {
    this.refreshViews();
    this.f32.set(query.subarray(0, dimension), this.region.query / FLOAT_BYTES);
    this.query = prepared;
  }

  /** 1 for a live slot, 0 for a free one (valid until the slab grows). */
  get live(): Uint8Array<ArrayBufferLike> {
    this.refreshViews();
    return this.liveFlags;
  }

  /**
   * Scores rows `first .. first + count - 1` (count ≤ SCAN_BLOCK_ROWS) against the prepared
   * query; returns the key block (lower is closer), valid until the next call.
   */
  scoreRange(first: number, count: number): Float32Array<ArrayBufferLike> {
    const { layout, region, query } = this;
    this.scan(query.kind, region.query, layout.vectorsOffset, layout.rowBytes, first, count, 0, region.keys, layout.normsOffset, query.queryScale);
    return this.keyBlock;
  }

  /**
   * Scores `slots[offset .. offset + count)` (count ≤ SCAN_BLOCK_ROWS, every slot below the
   * slab's highWater: the caller checked); key i belongs to `slots[offset + i]`.
   */
  scoreSlots(slots: Uint32Array, offset: number, count: number): Float32Array<ArrayBufferLike> {
    const { layout, region, query } = this;
    this.u32.set(slots.subarray(offset, offset + count), region.slots / FLOAT_BYTES);
    this.scan(query.kind, region.query, layout.vectorsOffset, layout.rowBytes, 0, count, region.slots, region.keys, layout.normsOffset, query.queryScale);
    return this.keyBlock;
  }

  /** Σx² of one row, by the kernel (a dot product of the row with itself). */
  sumOfSquares(slot: number): number {
    const { layout, region } = this;
    const row = layout.vectorsOffset + slot * layout.rowBytes;
    this.refreshViews();
    this.scan(KERNEL_KIND.dotproduct, row, layout.vectorsOffset, layout.rowBytes, slot, 1, 0, region.keys, 0, 1);
    return -at(this.keyBlock, 0);
  }

  /** Views over the memory, taken again when it has grown (a shared memory's buffer is replaced, never detached). */
  private refreshViews(): void {
    const buffer = this.memory.buffer;
    if (buffer === this.buffer && buffer.byteLength === this.f32.byteLength) return;
    this.buffer = buffer;
    this.f32 = new Float32Array(buffer);
    this.u32 = new Uint32Array(buffer);
    this.keyBlock = new Float32Array(buffer, this.region.keys, SCAN_BLOCK_ROWS);
    this.liveFlags = new Uint8Array(buffer, this.layout.liveOffset, (this.layout.normsOffset - this.layout.vectorsOffset) / this.layout.rowBytes);
  }
}
