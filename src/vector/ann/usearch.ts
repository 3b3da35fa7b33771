/**
 * The one file that knows usearch. Everything else speaks plain typed arrays and numbers.
 *
 * usearch behaviours this wrapper absorbs (measured with 2.26.2):
 * - `expansion_search` is fixed when an `Index` is constructed, so each search breadth is its own `Index`.
 * - `search(q, k)` spawns a thread per core unless told `threads = 1`.
 * - `Index` has no close(): its memory and mapping go at garbage collection, which native memory does not
 *   hasten. `load()` resets the index before it parses, so loading an empty file releases them at once.
 * - `view()` of a path that cannot be opened closes file descriptor 0 (memory_mapped_file_t::close() runs
 *   with the descriptor it never set); a later failure then closes whatever reused 0, and libuv aborts
 *   the process. So a path is checked before it is ever handed to `view()`.
 * - i8 storage scales every vector to unit length before quantising (index_plugins.hpp `cast_to_i8_gt`):
 *   rankings under l2sq/ip are then those of the normalised vectors, and their distances are in i8 units.
 */
import { accessSync, constants } from 'node:fs';
import { devNull } from 'node:os';
import { Index, MetricKind, ScalarKind } from 'usearch';
import { fvError } from '../../errors.js';
import type { HnswConfig, Metric } from '../types.js';

export interface GraphConfig {
  dimension: number;
  metric: Metric;
  hnsw: HnswConfig;
}

export interface GraphMatches {
  /** Record keys, nearest first. */
  keys: Float64Array;
  /** usearch's raw distance for the metric (l2sq, 1 − cos, 1 − dot), ascending. */
  distances: Float32Array;
}

const USEARCH_METRIC: Readonly<Record<Metric, MetricKind>> = {
  euclidean: MetricKind.L2sq,
  cosine: MetricKind.Cos,
  dotproduct: MetricKind.IP,
};

const USEARCH_SCALAR: Readonly<Record<HnswConfig['quantization'], ScalarKind>> = {
  f32: ScalarKind.F32,
  f16: ScalarKind.F16,
  i8: ScalarKind.I8,
};

/** An HNSW graph in usearch: writable (created or loaded into RAM) or a read-only memory-mapped view. */
export class HnswGraph {
  private constructor(private readonly index: Index) {}

  /** An empty writable graph. */
  static create(config: GraphConfig): HnswGraph {
    return new HnswGraph(newIndex(config, config.hnsw.efSearch));
  }

  /**
   * Reads a saved graph into RAM so that more vectors can be added to it.
   * @throws FV_ERR_STORAGE_CORRUPT when usearch cannot parse the file.
   */
  static load(path: string, config: GraphConfig): HnswGraph {
    const index = newIndex(config, config.hnsw.efSearch);
    openWith(() => index.load(path), path, 'load');
    return new HnswGraph(index);
  }

  /**
   * Memory-maps a saved graph read-only: opening costs a key table, not a copy of the file.
   * `efSearch` is the candidate list size of every search on this view (usearch fixes it per Index).
   * @throws FV_ERR_STORAGE_CORRUPT when usearch cannot parse the file.
   */
  static view(path: string, config: GraphConfig, efSearch: number): HnswGraph {
    const index = newIndex(config, efSearch);
    openWith(() => {
      accessSync(path, constants.R_OK);
      index.view(path);
    }, path, 'view');
    return new HnswGraph(index);
  }

  get size(): number {
    return this.index.size();
  }

  /** Inserts vectors (`keys.length × dimension`, offset 0) on `threads` threads. Keys must be new. */
  add(keys: BigUint64Array, vectors: Float32Array, threads: number): void {
    this.index.add(keys, vectors, threads);
  }

  /** Top-k on the calling thread only; fewer than k matches when the graph holds fewer (none when empty). */
  search(query: Float32Array, k: number): GraphMatches {
    const matches = this.index.search(query.byteOffset === 0 ? query : query.slice(), k, 1);
    const keys = new Float64Array(matches.keys.length);
    for (let i = 0; i < keys.length; i++) keys[i] = Number(matches.keys[i]);
    return { keys, distances: matches.distances };
  }

  /** Writes the whole graph to `path` (not synced: the caller fsyncs and renames). */
  save(path: string): void {
    this.index.save(path);
  }

  /** Frees the graph's memory or unmaps its file now; the graph is empty afterwards. Idempotent. */
  release(): void {
    try {
      this.index.load(devNull);
    } catch {
      // Expected: the empty file has no header; the reset before parsing has already released everything.
    }
  }
}

function newIndex(config: GraphConfig, efSearch: number): Index {
  return new Index({
    dimensions: config.dimension,
    metric: USEARCH_METRIC[config.metric],
    quantization: USEARCH_SCALAR[config.hnsw.quantization],
    connectivity: config.hnsw.m,
    expansion_add: config.hnsw.efConstruction,
    expansion_search: efSearch,
    multi: false,
  });
}

function openWith(open: () => void, path: string, how: 'load' | 'view'): void {
  try {
    open();
  } catch (cause) {
    throw fvError('FV_ERR_STORAGE_CORRUPT', `usearch cannot ${how} the HNSW graph file ${path}: ${(cause as Error).message}`, { path }, cause);
  }
}
