/** Messages between `AnnIndex` (main thread) and its builder worker. */
import type { GraphConfig } from './usearch.js';

/** `workerData` of the builder. */
export interface BuilderStart {
  dir: string;
  config: GraphConfig;
  /** Graph file to load and extend (inside `dir`); undefined starts an empty graph. */
  graphFile: string | undefined;
  /** Generation of `graphFile`, 0 when there is none; each snapshot takes the next. */
  generation: number;
  /** Largest key in `graphFile`, 0 when there is none. */
  maxKey: number;
  /** Threads for usearch's parallel insert. */
  threads: number;
}

export type ToBuilder =
  /** keys ascending, each above every key sent before; vectors keys.length × dimension. Both buffers are transferred. */
  | { type: 'enqueue'; keys: BigUint64Array; vectors: Float32Array }
  /** Snapshot as soon as every key <= through is built. */
  | { type: 'flush'; through: number }
  /** Save what is built (not the queue), post `closed`, stop. */
  | { type: 'close' };

export type FromBuilder =
  /** A complete graph file holding every key <= searchableThrough; the manifest already names it. */
  | { type: 'snapshot'; graphFile: string; searchableThrough: number; count: number }
  /** The builder has stopped building for good; it still answers `close`. */
  | { type: 'failed'; message: string }
  | { type: 'closed' };
