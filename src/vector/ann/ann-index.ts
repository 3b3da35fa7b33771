/**
 * The approximate (ANN) engine of one namespace: an HNSW graph built off the write path in the
 * process's shared builder thread, saved as snapshots, and searched through a read-only
 * memory-mapped view.
 */
import { mkdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fvError, isFacevaultError, type FacevaultError } from '../../errors.js';
import type { HnswConfig, Metric } from '../types.js';
import type { FromBuilder } from './builder-protocol.js';
import { GraphViews } from './graph-views.js';
import { SharedBuilder, type BuildJob } from './shared-builder.js';
import { asStorageError } from '../storage/storage-errors.js';
import { findSnapshot, removeSnapshotFiles, type FoundSnapshot } from './snapshot-store.js';
import type { GraphConfig, GraphMatches } from './usearch.js';

export interface AnnOptions {
  /** Directory of this graph's files; created if missing, used by nothing else. */
  dir: string;
  dimension: number;
  metric: Metric;
  hnsw: HnswConfig;
}

interface FlushWaiter {
  through: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

const LOG_PREFIX = '[facevault ann]';

/**
 * How long a caught-up graph stays loaded in the builder thread before it is detached. The
 * builder holds a writable copy of the whole graph in RAM; a write after detaching reloads it
 * from the snapshot (~50 ms at 100K × 128-d f32), next to a snapshot that costs 0.2-0.5 s anyway.
 */
const BUILDER_LINGER_MS = 10_000;

/**
 * An HNSW graph over record keys (sequence numbers) that grows in the background.
 *
 * Freshness contract: keys above {@link AnnIndex.searchableThrough} are not in the graph yet;
 * the caller scans them exactly. After {@link AnnIndex.open} the caller must enqueue again every
 * live record with a key above `searchableThrough` (a crash or close loses the builder's queue,
 * and a corrupt snapshot is discarded, which reports 0).
 *
 * @example
 * const ann = await AnnIndex.open({ dir, dimension: 2, metric: 'euclidean', hnsw: { m: 16, efConstruction: 64, efSearch: 32, quantization: 'f32' } });
 * ann.enqueue([1, 2], Float32Array.of(0, 0, 3, 4));
 * await ann.flush();
 * ann.search(Float32Array.of(0, 1), 2); // { keys: Float64Array [1, 2], distances: Float32Array [1, 18] } (l2sq)
 * await ann.close();
 */
export class AnnIndex {
  private views: GraphViews | undefined;
  /** Graph file the manifest names now; every other graph file in `dir` is a leftover. */
  private currentGraphFile: string | undefined;
  private generation: number;
  private searchable: number;
  private lastEnqueued: number;
  private failure: FacevaultError | undefined;
  private waiters: FlushWaiter[] = [];
  private closing: Promise<void> | undefined;
  /** Attached to the builder thread from the first enqueue until caught up for BUILDER_LINGER_MS. */
  private job: BuildJob | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;
  /** Releases the builder's hold on the process while flush() calls wait. */
  private releaseHold: (() => void) | undefined;

  private constructor(
    private readonly dir: string,
    private readonly config: GraphConfig,
    private readonly builder: SharedBuilder,
    found: { views: GraphViews; graphFile: string; generation: number; maxKey: number } | undefined,
  ) {
    this.views = found?.views;
    this.currentGraphFile = found?.graphFile;
    this.generation = found?.generation ?? 0;
    this.searchable = this.lastEnqueued = found?.maxKey ?? 0;
  }

  /**
   * Views the persisted graph if there is a sound one; starts no thread (the shared builder takes
   * the graph on at the first enqueue). The view is a memory map (~20 ms at 100K × 128-d, ~76 ms at
   * 1M); checking the file's SHA-256 first reads it once (open() took 0.14 s in all at 100K f32
   * here; expect ~0.5 s at 1M).
   * A missing, truncated, corrupt or differently-configured snapshot is discarded and logged:
   * `searchableThrough` is then 0 and the caller re-enqueues everything.
   * @throws FV_ERR_STORAGE_VERSION when the snapshot manifest has another major format version.
   */
  static async open(options: AnnOptions): Promise<AnnIndex> {
    const config: GraphConfig = { dimension: options.dimension, metric: options.metric, hnsw: { ...options.hnsw } };
    const dir = options.dir;
    await mkdir(dir, { recursive: true });
    const found = viewSnapshot(await findSnapshot(dir, config), config);
    await removeSnapshotFiles(dir, found?.graphFile);
    return new AnnIndex(dir, config, SharedBuilder.shared(), found);
  }

  /** Every key <= this was enqueued and is searchable now. Keys are record sequence numbers: unique, never reused, enqueued in increasing order. */
  get searchableThrough(): number {
    return this.searchable;
  }

  /** Number of keys in the searchable graph, including keys the caller has since masked as deleted. */
  get size(): number {
    return this.views?.size ?? 0;
  }

  /** True while enqueued keys are still being built (false once caught up, or when the builder has failed). */
  get building(): boolean {
    return this.failure === undefined && this.lastEnqueued > this.searchable;
  }

  /**
   * Hands vectors to the builder (copied; never waits for graph building). If the builder has
   * failed, the vectors are dropped and stay in the caller's exactly-scanned tail.
   * @param keys integers from 1 to 2^53 − 1, ascending, each above every key enqueued before.
   * @param vectors keys.length × dimension values, row by row.
   * @throws FV_ERR_VECTOR_DIMENSION when vectors.length is not keys.length × dimension.
   * @throws FV_ERR_INVALID_ARGUMENT when a key is not an integer above the previous one.
   * @throws FV_ERR_CLOSED after close().
   */
  enqueue(keys: Float64Array | number[], vectors: Float32Array): void {
    this.throwIfClosed();
    const n = keys.length;
    if (vectors.length !== n * this.config.dimension) {
      throw fvError('FV_ERR_VECTOR_DIMENSION', `enqueue: vectors has ${vectors.length} values; ${n} keys × dimension ${this.config.dimension} need ${n * this.config.dimension}`, { keys: n, values: vectors.length, dimension: this.config.dimension });
    }
    if (n === 0) return;
    const bigKeys = new BigUint64Array(n);
    let previous = this.lastEnqueued;
    for (let i = 0; i < n; i++) {
      const key = keys[i];
      if (key === undefined || !Number.isSafeInteger(key) || key <= previous) {
        throw fvError('FV_ERR_INVALID_ARGUMENT', `enqueue: keys[${i}] is ${key}; keys must be integers below 2^53, ascending, each above the last enqueued key ${previous}`, { index: i, key, previous });
      }
      bigKeys[i] = BigInt(key);
      previous = key;
    }
    this.lastEnqueued = previous;
    if (this.failure) return;
    clearTimeout(this.lingerTimer);
    this.attached()?.enqueue(bigKeys, vectors.slice());
  }

  /**
   * Searches the current snapshot. `ef` (default: hnsw.efSearch) trades latency for recall; the
   * first query with a new ef opens another view of the file (~10 ms at 100K), later ones reuse it.
   * @returns up to k keys, nearest first, with usearch's raw distance: l2sq (squared euclidean),
   *   1 − cosine, 1 − dot product. With i8 quantisation usearch normalises vectors first, so l2sq and
   *   dot-product distances are then in i8 units of the normalised vectors: re-score from the source vectors.
   * @throws FV_ERR_VECTOR_DIMENSION when query.length is not the dimension.
   * @throws FV_ERR_INVALID_ARGUMENT when k or ef is not a positive integer.
   * @throws FV_ERR_CLOSED after close().
   */
  search(query: Float32Array, k: number, ef: number = this.config.hnsw.efSearch): GraphMatches {
    this.throwIfClosed();
    if (query.length !== this.config.dimension) {
      throw fvError('FV_ERR_VECTOR_DIMENSION', `search: query has ${query.length} values; the index dimension is ${this.config.dimension}`, { length: query.length, dimension: this.config.dimension });
    }
    if (!Number.isInteger(k) || k < 1 || !Number.isInteger(ef) || ef < 1) {
      throw fvError('FV_ERR_INVALID_ARGUMENT', `search: k (${k}) and ef (${ef}) must be positive integers`, { k, ef });
    }
    if (this.views === undefined) return { keys: new Float64Array(0), distances: new Float32Array(0) };
    return this.views.withEf(ef).search(query, k);
  }

  /**
   * Resolves when everything enqueued so far is searchable (tests, benchmarks, clean shutdown).
   * @throws FV_ERR_INTERNAL (rejects) when the builder has failed; FV_ERR_CLOSED when closed meanwhile.
   */
  flush(): Promise<void> {
    if (this.closing) return Promise.reject(closedError());
    if (this.lastEnqueued <= this.searchable) return Promise.resolve();
    if (this.failure) return Promise.reject(this.failure);
    const through = this.lastEnqueued;
    return new Promise((resolve, reject) => {
      this.waiters.push({ through, resolve, reject });
      this.releaseHold ??= this.builder.hold();
      this.attached()?.flush(through);
    });
  }

  /**
   * Saves what the builder has built (not its queue), frees the graph in the builder thread and
   * unmaps the graph. Idempotent. Pending flush() calls reject with FV_ERR_CLOSED.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  /** close() and delete this index's files (and its directory when nothing else is left in it). */
  async drop(): Promise<void> {
    await this.close();
    await removeSnapshotFiles(this.dir);
    await rmdir(this.dir).catch(() => undefined);
  }

  private async shutDown(): Promise<void> {
    this.settleWaiters(closedError());
    await this.detach();
    this.views?.release();
    this.views = undefined;
    await removeSnapshotFiles(this.dir, this.currentGraphFile);
  }

  /**
   * The job building this graph, attached where the current snapshot left off. A detach still in
   * flight is no hazard: the thread handles this graph's messages in order, and a graph is only
   * detached once everything enqueued is in that snapshot.
   */
  private attached(): BuildJob | undefined {
    if (this.job) return this.job;
    const start = { dir: this.dir, config: this.config, graphFile: this.currentGraphFile, generation: this.generation, maxKey: this.searchable };
    try {
      this.job = this.builder.attach(start, (report) => this.receive(report));
    } catch (err) {
      this.fail(`the builder thread cannot start: ${(err as Error).message}`);
    }
    return this.job;
  }

  /** Lets the builder free this graph's writable copy (it saves anything built but unsaved first). */
  private detach(): Promise<void> {
    clearTimeout(this.lingerTimer);
    const job = this.job;
    this.job = undefined;
    return job?.detach() ?? Promise.resolve();
  }

  private receive(report: Exclude<FromBuilder, { type: 'detached' }>): void {
    if (report.type === 'snapshot') {
      this.adopt(report.graphFile, report.generation, report.searchableThrough);
    } else {
      this.fail(report.message, report.code);
      void this.detach();
    }
  }

  /** Swaps in a new snapshot: view it, then unmap and delete the previous one. */
  private adopt(graphFile: string, generation: number, searchableThrough: number): void {
    const previous = this.views;
    this.currentGraphFile = graphFile;
    this.generation = generation;
    if (this.closing) return;
    try {
      this.views = new GraphViews(join(this.dir, graphFile), this.config);
    } catch (err) {
      console.error(`${LOG_PREFIX} cannot view the new snapshot ${graphFile}; searching the previous one`, err);
      this.settleWaiters(err as Error);
      return;
    }
    this.searchable = searchableThrough;
    if (previous) {
      previous.release();
      void rm(previous.path, { force: true });
    }
    this.settleWaiters();
    if (!this.building) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = setTimeout(() => {
        if (!this.building) void this.detach();
      }, BUILDER_LINGER_MS).unref();
    }
  }

  /** @param code the failure's errno or SQLite code: a full disk or a read-only directory keeps its own error code. */
  private fail(reason: string, code?: string): void {
    if (this.failure) return;
    const storage = code === undefined ? undefined : asStorageError(Object.assign(new Error(reason), { code }), this.dir);
    const cause = isFacevaultError(storage) ? storage : undefined;
    this.failure = fvError(
      cause?.code ?? 'FV_ERR_INTERNAL',
      `HNSW builder stopped: ${cause?.message ?? reason}; searches use the last snapshot (keys <= ${this.searchable}); reopen to resume building`,
      { dir: this.dir, searchableThrough: this.searchable },
    );
    console.error(`${LOG_PREFIX} ${this.failure.message}`);
    this.settleWaiters(this.failure);
  }

  /** Resolves the waiters now satisfied, or rejects all of them with `err`. */
  private settleWaiters(err?: Error): void {
    const waiting: FlushWaiter[] = [];
    for (const waiter of this.waiters) {
      if (err) waiter.reject(err);
      else if (waiter.through <= this.searchable) waiter.resolve();
      else waiting.push(waiter);
    }
    this.waiters = waiting;
    if (waiting.length === 0) {
      this.releaseHold?.();
      this.releaseHold = undefined;
    }
  }

  private throwIfClosed(): void {
    if (this.closing) throw closedError();
  }
}

/** The found snapshot as views, or undefined (logged) when it cannot be used. */
function viewSnapshot(found: FoundSnapshot, config: GraphConfig): { views: GraphViews; graphFile: string; generation: number; maxKey: number } | undefined {
  if (found.manifest === undefined) {
    if (found.ignoredBecause) console.error(`${LOG_PREFIX} discarding the HNSW snapshot: ${found.ignoredBecause}; the graph will be rebuilt`);
    return undefined;
  }
  try {
    const { graphFile, generation, maxKey } = found.manifest;
    return { views: new GraphViews(found.graphPath, config), graphFile, generation, maxKey };
  } catch (err) {
    if (!isFacevaultError(err, 'FV_ERR_STORAGE_CORRUPT')) throw err;
    console.error(`${LOG_PREFIX} discarding the HNSW snapshot: ${err.message}; the graph will be rebuilt`);
    return undefined;
  }
}

function closedError(): FacevaultError {
  return fvError('FV_ERR_CLOSED', 'The ANN index is closed');
}
