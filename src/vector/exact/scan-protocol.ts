/** Messages between the scan pool (the owning thread) and its scan threads. */
import type { KernelMemory } from './kernel-loader.js';
import type { ScratchRegion, SlabLayout } from './slab-layout.js';

export interface ScanPart {
  type: 'scan';
  job: number;
  slab: number;
  layout: SlabLayout;
  /** This thread's scratch in the slab's memory. */
  region: ScratchRegion;
  dimension: number;
  kind: number;
  queryScale: number;
  query: Float32Array;
  k: number;
  /** Rows `first .. first + count - 1`, or positions `first ..` of `candidates`. */
  first: number;
  count: number;
  candidates?: Uint32Array;
}

export type ToScanThread =
  | { type: 'attach'; slab: number; memory: KernelMemory }
  | { type: 'detach'; slab: number }
  | ScanPart;

export type FromScanThread =
  /** The part's best entries in any order: its k best, plus every entry tied with its k-th (see offerNearest). */
  | { type: 'result'; job: number; slots: Uint32Array<ArrayBuffer>; keys: Float64Array<ArrayBuffer> }
  | { type: 'failed'; job: number; message: string };
