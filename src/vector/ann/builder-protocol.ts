/**
 * Messages between the main thread and the process's one builder thread. The thread builds many
 * graphs; each attachment of a graph is a job with its own number, so the messages of a graph
 * detached and attached again never mix.
 */
import type { GraphConfig } from './usearch.js';

/** `workerData` of the builder thread. */
export interface BuilderThreadData {
  /** Threads for usearch's parallel insert. */
  threads: number;
}

/** Where a job resumes building: the graph's current snapshot. */
export interface BuilderStart {
  dir: string;
  config: GraphConfig;
  /** Graph file to load and extend (inside `dir`); undefined starts an empty graph. */
  graphFile: string | undefined;
  /** Generation of `graphFile`, 0 when there is none; each snapshot takes the next. */
  generation: number;
  /** Largest key in `graphFile`, 0 when there is none. */
  maxKey: number;
}

export type ToBuilder =
  /** Load (or create) the graph and accept the job's other messages. */
  | { type: 'attach'; job: number; start: BuilderStart }
  /** keys ascending, each above every key sent before; vectors keys.length × dimension. Both buffers are transferred. */
  | { type: 'enqueue'; job: number; keys: BigUint64Array; vectors: Float32Array }
  /** Snapshot as soon as every key <= through is built. */
  | { type: 'flush'; job: number; through: number }
  /** Save what is built (not the queue), free the graph's memory, post `detached`. */
  | { type: 'detach'; job: number };

export type FromBuilder =
  /** A complete graph file holding every key <= searchableThrough; the manifest already names it. */
  | { type: 'snapshot'; job: number; graphFile: string; generation: number; searchableThrough: number; count: number }
  /** The job has stopped building for good; it still answers `detach`. */
  | { type: 'failed'; job: number; message: string; /** The errno or SQLite code of the failure, when it had one (ENOSPC, EROFS...). */ code?: string }
  | { type: 'detached'; job: number };
